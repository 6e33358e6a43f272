import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CatalogApp, createCatalogApp, owner, reader } from './catalog-fixtures.js';

const HEADER =
  'handle,title,status,description,tags,categories,image_urls,model_url,attributes,option1_name,option1_value,sku,price_usd,price_pln,title@pl,variant_title@pl';

const GOOD = [
  HEADER,
  'desk-lamp,Desk Lamp,published,"A lamp,\nwith two lines",light|desk,lighting,https://cdn.example.com/lamp.jpg,https://cdn.example.com/lamp.usdz,watts:number=40|dimmable:boolean=true,Color,White,LAMP-W,19.99,79.00,Lampka biurkowa,Biała',
  'desk-lamp,,,,,,,,,,Black,LAMP-B,21.50,,,Czarna',
  'floor-lamp,Floor Lamp,draft,Tall,light,lighting,,,,,,FLOOR-1,99,,,',
].join('\n');

describe('catalog CSV import and export', () => {
  let t: CatalogApp;
  beforeAll(async () => {
    t = await createCatalogApp();
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/categories',
      payload: { name: 'Lighting' },
      headers: owner,
    });
    expect(res.statusCode).toBe(201);
  });
  afterAll(async () => {
    await t.close();
  });

  const importCsv = (body: string) =>
    t.app.inject({
      method: 'POST',
      url: '/admin/products/import',
      payload: body,
      headers: { ...owner, 'content-type': 'text/csv' },
    });
  const productCount = async () =>
    Number(
      (
        await t.ctx.db
          .selectFrom('products')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const eventCount = async () =>
    Number(
      (
        await t.ctx.db
          .selectFrom('outbox_events')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('imports one row per variant, with options, prices, media, attributes and translations', async () => {
    const res = await importCsv(GOOD);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      products_created: 2,
      products_updated: 0,
      variants_created: 3,
      variants_updated: 0,
      rows: 3,
    });
    const store = (
      await t.app.inject({ url: `/store/products/desk-lamp?region_id=${t.regionId}&locale=pl` })
    ).json();
    expect(store).toMatchObject({
      title: 'Lampka biurkowa',
      description: 'A lamp,\nwith two lines',
      tags: ['light', 'desk'],
    });
    expect(store.options).toEqual([{ name: 'Color', values: ['White', 'Black'] }]);
    expect(store.variants.map((v: { title: string }) => v.title)).toEqual(['Biała', 'Czarna']);
    expect(store.variants.map((v: { price: { amount: number } }) => v.price.amount)).toEqual([1999, 2150]);
    expect(store.media).toEqual([
      { url: 'https://cdn.example.com/lamp.jpg', kind: 'image' },
      { url: 'https://cdn.example.com/lamp.usdz', kind: 'model', format: 'usdz' },
    ]);
    expect(store.attributes).toEqual([
      { key: 'watts', type: 'number', value: 40 },
      { key: 'dimmable', type: 'boolean', value: true },
    ]);
    const search = (await t.app.inject({ url: `/store/products?region_id=${t.regionId}&q=lampka` })).json();
    expect(search.data.map((p: { handle: string }) => p.handle)).toEqual(['desk-lamp']);
  });

  it('exports in the import format, and re-importing the export changes nothing but updates', async () => {
    const res = await t.app.inject({ url: '/admin/products/export', headers: reader });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.body.trim().split('\n');
    expect(lines[0]).toContain('handle,title,status');
    expect(lines[0]).toContain('price_pln');
    expect(res.body).toContain('LAMP-W');
    expect(res.body).toContain('"A lamp,\nwith two lines"');
    const before = (await t.app.inject({ url: `/store/products/desk-lamp?region_id=${t.regionId}` })).json();
    const again = await importCsv(res.body);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({
      products_created: 0,
      products_updated: 2,
      variants_created: 0,
      variants_updated: 3,
    });
    expect(await productCount()).toBe(2);
    const after = (await t.app.inject({ url: `/store/products/desk-lamp?region_id=${t.regionId}` })).json();
    expect({ ...after, updated_at: null }).toEqual({ ...before, updated_at: null });
  });

  it('rejects a file with bad rows, reporting each by row and line, and writes nothing', async () => {
    const products = await productCount();
    const events = await eventCount();
    const bad = [
      HEADER,
      'chair,Chair,published,"multi\nline\ndescription",,lighting,,,,Size,S,CH-S,10.00,,,',
      'chair,,,,,,,,,,,CH-M,10.00,,,', // no option value
      'chair,,,,,,,,,,L,CH-L,10.005,,,', // more decimals than USD has
      'stool,Stool,published,,,nowhere,,https://cdn.example.com/stool.png,,,,ST-1,-5,,,', // unknown category, bad model, negative
      'bench,Bench,sold,,,,,,width:number=wide,,,LAMP-W,5,,,', // bad status, bad attribute, SKU of another product
      'Bad Handle,Thing,,,,,,,,,,TH-1,1,,,',
    ].join('\n');
    const res = await importCsv(bad);
    expect(res.statusCode).toBe(422);
    const error = res.json().error;
    expect(error.code).toBe('CSV_INVALID');
    const at = (row: number, column: string | null) =>
      error.details.find((d: { row: number; column: string | null }) => d.row === row && d.column === column);
    expect(at(2, 'option1_value')).toMatchObject({ line: 5 });
    expect(at(3, 'price_usd')).toMatchObject({ line: 6 });
    expect(at(4, 'model_url')).toMatchObject({ line: 7 });
    expect(at(4, 'price_usd')).toMatchObject({ line: 7 });
    expect(at(5, 'status')).toMatchObject({ line: 8 });
    expect(at(5, 'attributes')).toBeTruthy();
    expect(at(6, 'handle')).toMatchObject({ line: 9 });
    expect(await productCount()).toBe(products);
    expect(await eventCount()).toBe(events);

    // Rows that pass on their own but clash with the database are reported the same way.
    const clash = await importCsv(
      [HEADER, 'stool,Stool,published,,,nowhere,,,,,,ST-1,5,,,', 'bench,Bench,,,,,,,,,,LAMP-W,5,,,'].join(
        '\n',
      ),
    );
    expect(clash.statusCode).toBe(422);
    expect(clash.json().error.details).toEqual([
      { row: 1, line: 2, column: 'categories', message: 'unknown category handle "nowhere"' },
      { row: 2, line: 3, column: 'sku', message: '"LAMP-W" belongs to another product' },
    ]);
    expect(await productCount()).toBe(products);
  });

  it('rejects unknown columns, missing required columns and malformed CSV', async () => {
    expect((await importCsv('handle,title,sku,colour\nx,X,X-1,red')).json().error).toMatchObject({
      code: 'CSV_INVALID',
    });
    expect((await importCsv('handle,title,price_xyz,sku\nx,X,1,X-1')).json().error.details[0]).toMatchObject({
      column: 'price_xyz',
    });
    expect((await importCsv('handle,title\nx,X')).json().error.details[0]).toMatchObject({
      column: 'sku',
      message: 'required column is missing',
    });
    const broken = await importCsv('handle,title,sku\nx,"unclosed,X-1\n');
    expect(broken.statusCode).toBe(422);
    expect(broken.json().error.code).toBe('CSV_INVALID');
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/admin/products/import',
          payload: 'a,b',
          headers: { ...reader, 'content-type': 'text/csv' },
        })
      ).statusCode,
    ).toBe(403);
  });
});
