import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CatalogApp, chairPayload, createCatalogApp, owner, reader } from './catalog-fixtures.js';

describe('catalog admin API', () => {
  let t: CatalogApp;
  beforeAll(async () => {
    t = await createCatalogApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (url: string, payload: unknown, headers = owner) =>
    t.app.inject({ method: 'POST', url, payload: payload as object, headers });
  const patch = (url: string, payload: unknown) =>
    t.app.inject({ method: 'PATCH', url, payload: payload as object, headers: owner });
  const counts = async () => ({
    products: Number(
      (
        await t.ctx.db
          .selectFrom('products')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
    variants: Number(
      (
        await t.ctx.db
          .selectFrom('product_variants')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
    prices: Number(
      (
        await t.ctx.db
          .selectFrom('variant_prices')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
    events: Number(
      (
        await t.ctx.db
          .selectFrom('outbox_events')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  });

  it('guards admin routes with catalog:read and catalog:write', async () => {
    expect((await t.app.inject({ url: '/admin/products' })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/admin/products', headers: reader })).statusCode).toBe(200);
    const denied = await post('/admin/products', chairPayload(), reader);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('FORBIDDEN');
  });

  it('creates, reads, updates and deletes a product with variants, media, attributes and prices', async () => {
    const parent = (await post('/admin/categories', { name: 'Furniture' })).json();
    const child = (await post('/admin/categories', { name: 'Chairs', parent_id: parent.id })).json();
    const collection = (
      await post('/admin/collections', { title: 'Summer', translations: { pl: { title: 'Lato' } } })
    ).json();
    const created = await post(
      '/admin/products',
      chairPayload({ category_ids: [child.id], collection_ids: [collection.id] }),
    );
    expect(created.statusCode).toBe(201);
    const product = created.json();
    expect(product.id).toMatch(/^prod_/);
    expect(product.handle).toBe('oak-chair');
    expect(product.variants).toHaveLength(2);
    expect(product.variants[0]).toMatchObject({ sku: 'CH-NAT-S', title: 'Natural / S', weight_grams: 4500 });
    expect(product.variants[0].prices).toEqual([
      { currency_code: 'pln', amount: 49900 },
      { currency_code: 'usd', amount: 12900 },
    ]);
    expect(
      product.media
        .filter((m: { kind: string }) => m.kind === 'model')
        .map((m: { format: string }) => m.format),
    ).toEqual(['glb', 'usdz']);
    expect(product.category_ids).toEqual([child.id]);

    const again = await post(
      '/admin/products',
      chairPayload({ variants: [{ sku: 'OTHER-1', options: { Color: 'Black', Size: 'S' } }] }),
    );
    expect(again.statusCode).toBe(201);
    expect(again.json().handle).toBe('oak-chair-2');

    const updated = await patch(`/admin/products/${product.id}`, {
      title: 'Oak Dining Chair',
      status: 'archived',
      tags: ['wood'],
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ title: 'Oak Dining Chair', status: 'archived', tags: ['wood'] });

    const added = await post(`/admin/products/${product.id}/variants`, {
      sku: 'CH-BLK-S',
      options: { Color: 'Black', Size: 'S' },
      prices: [{ currency_code: 'usd', amount: 13000 }],
    });
    expect(added.statusCode).toBe(201);
    const variantId = added.json().variants.find((v: { sku: string }) => v.sku === 'CH-BLK-S').id;
    const changed = await patch(`/admin/products/${product.id}/variants/${variantId}`, {
      prices: [{ currency_code: 'usd', amount: 12000 }],
      barcode: '123',
    });
    expect(changed.json().variants.find((v: { id: string }) => v.id === variantId)).toMatchObject({
      barcode: '123',
      prices: [{ currency_code: 'usd', amount: 12000 }],
    });
    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/admin/products/${product.id}/variants/${variantId}`,
      headers: owner,
    });
    expect(removed.json().variants).toHaveLength(2);

    const list = await t.app.inject({ url: '/admin/products?limit=1', headers: reader });
    expect(list.json().data).toHaveLength(1);
    const next = await t.app.inject({
      url: `/admin/products?limit=1&cursor=${list.json().next_cursor}`,
      headers: reader,
    });
    expect(next.json().data[0].id).not.toBe(list.json().data[0].id);

    const topics = (await t.ctx.db.selectFrom('outbox_events').select('topic').execute()).map((e) => e.topic);
    expect(topics).toEqual(
      expect.arrayContaining([
        'product.created',
        'product.updated',
        'category.created',
        'collection.created',
      ]),
    );

    expect(
      (await t.app.inject({ method: 'DELETE', url: `/admin/products/${product.id}`, headers: owner }))
        .statusCode,
    ).toBe(204);
    expect((await t.app.inject({ url: `/admin/products/${product.id}`, headers: reader })).statusCode).toBe(
      404,
    );
  });

  it('rejects invalid product payloads with a clear 4xx and writes nothing', async () => {
    const before = await counts();
    const cases: Array<[unknown, number, string]> = [
      [{ ...chairPayload(), title: undefined }, 400, 'VALIDATION_FAILED'],
      [chairPayload({ variants: [] }), 400, 'VALIDATION_FAILED'],
      [chairPayload({ handle: 'Not A Handle' }), 400, 'VALIDATION_FAILED'],
      [
        chairPayload({ variants: [{ sku: 'X1', options: { Color: 'Purple', Size: 'S' } }] }),
        422,
        'INVALID_PRODUCT',
      ],
      [chairPayload({ variants: [{ sku: 'X1', options: { Color: 'Black' } }] }), 422, 'INVALID_PRODUCT'],
      [
        chairPayload({
          variants: [
            { sku: 'X1', options: { Color: 'Black', Size: 'S' } },
            { sku: 'X2', options: { Color: 'Black', Size: 'S' } },
          ],
        }),
        422,
        'INVALID_PRODUCT',
      ],
      [
        chairPayload({ media: [{ url: 'https://cdn.example.com/m.glb', kind: 'model' }] }),
        422,
        'INVALID_PRODUCT',
      ],
      [
        chairPayload({ media: [{ url: 'https://cdn.example.com/m.png', kind: 'model', format: 'usdz' }] }),
        422,
        'INVALID_PRODUCT',
      ],
      [
        chairPayload({ attributes: [{ key: 'width', type: 'number', value: 'wide' }] }),
        422,
        'INVALID_PRODUCT',
      ],
      [chairPayload({ category_ids: ['pcat_missing'] }), 422, 'INVALID_PRODUCT'],
      [
        chairPayload({
          variants: [
            {
              sku: 'X1',
              options: { Color: 'Black', Size: 'S' },
              prices: [{ currency_code: 'xyz', amount: 100 }],
            },
          ],
        }),
        400,
        'UNKNOWN_CURRENCY',
      ],
      [
        chairPayload({
          variants: [
            {
              sku: 'X1',
              options: { Color: 'Black', Size: 'S' },
              prices: [{ currency_code: 'usd', amount: -1 }],
            },
          ],
        }),
        400,
        'INVALID_AMOUNT',
      ],
      [chairPayload({ handle: 'oak-chair-2' }), 409, 'HANDLE_TAKEN'],
      [
        chairPayload({
          handle: 'fresh',
          variants: [{ sku: 'OTHER-1', options: { Color: 'Black', Size: 'S' } }],
        }),
        409,
        'SKU_TAKEN',
      ],
    ];
    for (const [payload, status, code] of cases) {
      const res = await post('/admin/products', payload);
      expect({ status: res.statusCode, code: res.json().error?.code }).toEqual({ status, code });
      expect(res.json().error.message.length).toBeGreaterThan(5);
    }
    expect(await counts()).toEqual(before);
  });

  it('lists the products of one category', async () => {
    const shelf = (await post('/admin/categories', { name: 'Shelf' })).json();
    const inside = (
      await post(
        '/admin/products',
        chairPayload({
          handle: 'on-the-shelf',
          category_ids: [shelf.id],
          variants: [{ sku: 'SHELF-1', options: { Color: 'Black', Size: 'S' } }],
        }),
      )
    ).json();
    const listed = await t.app.inject({ url: `/admin/products?category_id=${shelf.id}`, headers: reader });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().data.map((p: { id: string }) => p.id)).toEqual([inside.id]);
    await patch(`/admin/products/${inside.id}`, { category_ids: [] });
    const after = await t.app.inject({ url: `/admin/products?category_id=${shelf.id}`, headers: reader });
    expect(after.json().data).toEqual([]);
  });

  it('labels variants by id for other screens', async () => {
    const product = (
      await post(
        '/admin/products',
        chairPayload({
          handle: 'labelled',
          variants: [{ sku: 'LBL-1', options: { Color: 'Black', Size: 'S' } }],
        }),
      )
    ).json();
    const variantId = product.variants[0].id;
    const res = await t.app.inject({
      url: `/admin/variants?ids=${variantId}&ids=var_unknown`,
      headers: reader,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toEqual([
      {
        id: variantId,
        product_id: product.id,
        product_title: product.title,
        title: product.variants[0].title,
        sku: 'LBL-1',
      },
    ]);
    expect((await t.app.inject({ url: '/admin/variants', headers: reader })).statusCode).toBe(400);
    expect((await t.app.inject({ url: `/admin/variants?ids=${variantId}` })).statusCode).toBe(401);
  });

  it('adds, renames and removes an option on a product that has variants, with their values in one PATCH', async () => {
    const simple = (
      await post('/admin/products', { title: 'Plain Stool', variants: [{ sku: 'STOOL-1' }] })
    ).json();
    const only = simple.variants[0].id;
    const before = await counts();
    // Without values for the existing variant the option is refused, and nothing changes.
    const refused = await patch(`/admin/products/${simple.id}`, {
      options: [{ name: 'Size', values: ['S', 'M'] }],
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('INVALID_PRODUCT');
    const stranger = await patch(`/admin/products/${simple.id}`, {
      options: [{ name: 'Size', values: ['S', 'M'] }],
      variant_options: { [only]: { Size: 'S' }, var_elsewhere: { Size: 'M' } },
    });
    expect(stranger.statusCode).toBe(422);
    expect(stranger.json().error.details).toContainEqual({
      field: 'body.variant_options.var_elsewhere',
      message: 'is not a variant of this product',
    });
    expect(await counts()).toEqual(before);

    const added = await patch(`/admin/products/${simple.id}`, {
      options: [{ name: 'Size', values: ['S', 'M'] }],
      variant_options: { [only]: { Size: 'S' } },
    });
    expect(added.statusCode).toBe(200);
    expect(added.json().variants[0].options).toEqual({ Size: 'S' });
    const second = (
      await post(`/admin/products/${simple.id}/variants`, { sku: 'STOOL-2', options: { Size: 'M' } })
    )
      .json()
      .variants.find((v: { sku: string }) => v.sku === 'STOOL-2').id;
    const renamed = await patch(`/admin/products/${simple.id}`, {
      options: [{ name: 'Height', values: ['S', 'M'] }],
      variant_options: { [only]: { Height: 'S' }, [second]: { Height: 'M' } },
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json().variants.map((v: { options: object }) => v.options)).toEqual([
      { Height: 'S' },
      { Height: 'M' },
    ]);
    const store = await t.app.inject({ url: `/admin/products?q=stool`, headers: reader });
    expect(store.json().data[0].options).toEqual([{ name: 'Height', values: ['S', 'M'] }]);
  });

  it('adds products to and removes them from a category or collection, without losing concurrent changes', async () => {
    const made = async (handle: string, sku: string) =>
      (
        await post(
          '/admin/products',
          chairPayload({ handle, variants: [{ sku, options: { Color: 'Black', Size: 'S' } }] }),
        )
      ).json();
    const a = await made('link-a', 'LINK-A');
    const b = await made('link-b', 'LINK-B');
    const cats = await Promise.all(
      ['One', 'Two', 'Three', 'Four'].map(async (name) => (await post('/admin/categories', { name })).json()),
    );
    const summer = (await post('/admin/collections', { title: 'Link summer' })).json();
    const before = await counts();

    // Bad input changes nothing: unknown product, the same id added and removed, unknown category, no auth.
    const unknown = await post(`/admin/categories/${cats[0].id}/products`, { add: [a.id, 'prod_nope'] });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.details).toContainEqual({
      field: 'body.add[1]',
      message: 'unknown product prod_nope',
    });
    const both = await post(`/admin/categories/${cats[0].id}/products`, { add: [a.id], remove: [a.id] });
    expect(both.statusCode).toBe(422);
    expect((await post('/admin/categories/cat_nope/products', { add: [a.id] })).statusCode).toBe(404);
    expect((await post(`/admin/categories/${cats[0].id}/products`, { add: [a.id] }, reader)).statusCode).toBe(
      403,
    );
    expect(await counts()).toEqual(before);

    // Four categories linked to the same product at once: every one lands.
    const linked = await Promise.all(
      cats.map((c: { id: string }) => post(`/admin/categories/${c.id}/products`, { add: [a.id, b.id] })),
    );
    expect(linked.map((r) => r.json())).toEqual(cats.map(() => ({ added: 2, removed: 0 })));
    const read = async (id: string) =>
      (await t.app.inject({ url: `/admin/products/${id}`, headers: reader })).json();
    expect((await read(a.id)).category_ids.sort()).toEqual(cats.map((c: { id: string }) => c.id).sort());
    // Again: nothing new to add.
    expect((await post(`/admin/categories/${cats[0].id}/products`, { add: [a.id] })).json()).toEqual({
      added: 0,
      removed: 0,
    });

    const removed = await post(`/admin/categories/${cats[1].id}/products`, { remove: [a.id] });
    expect(removed.json()).toEqual({ added: 0, removed: 1 });
    expect((await read(a.id)).category_ids).not.toContain(cats[1].id);
    expect((await read(b.id)).category_ids).toContain(cats[1].id);
    const inTwo = await t.app.inject({ url: `/admin/products?category_id=${cats[1].id}`, headers: reader });
    expect(inTwo.json().data.map((p: { id: string }) => p.id)).toEqual([b.id]);

    expect((await post(`/admin/collections/${summer.id}/products`, { add: [b.id] })).json()).toEqual({
      added: 1,
      removed: 0,
    });
    expect((await read(b.id)).collection_ids).toEqual([summer.id]);
    const events = await t.ctx.db
      .selectFrom('outbox_events')
      .select('payload')
      .where('topic', '=', 'product.updated')
      .execute();
    expect(
      events
        .map((e) => JSON.parse(e.payload))
        .filter((p) => p.id === b.id && p.fields?.[0] === 'collection_ids'),
    ).toHaveLength(1);
  });

  it('keeps the category tree acyclic and refuses to delete a parent', async () => {
    const a = (await post('/admin/categories', { name: 'A' })).json();
    const b = (await post('/admin/categories', { name: 'B', parent_id: a.id })).json();
    const cycle = await patch(`/admin/categories/${a.id}`, { parent_id: b.id });
    expect(cycle.statusCode).toBe(422);
    expect(cycle.json().error.code).toBe('INVALID_CATEGORY');
    const parentGone = await t.app.inject({
      method: 'DELETE',
      url: `/admin/categories/${a.id}`,
      headers: owner,
    });
    expect(parentGone.statusCode).toBe(409);
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/admin/categories/${b.id}`, headers: owner })).statusCode,
    ).toBe(204);
    expect((await post('/admin/categories', { name: 'Other', handle: 'a' })).statusCode).toBe(409);
  });

  it('unlinks a deleted collection from its products', async () => {
    const collection = (await post('/admin/collections', { title: 'Gone soon' })).json();
    const product = (
      await post(
        '/admin/products',
        chairPayload({
          handle: 'linked',
          collection_ids: [collection.id],
          variants: [{ sku: 'LNK-1', options: { Color: 'Black', Size: 'S' } }],
        }),
      )
    ).json();
    const member = await t.app.inject({
      url: `/admin/products?collection_id=${collection.id}`,
      headers: reader,
    });
    expect(member.json().data.map((p: { id: string }) => p.id)).toEqual([product.id]);
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/admin/collections/${collection.id}`, headers: owner }))
        .statusCode,
    ).toBe(204);
    const none = await t.app.inject({
      url: `/admin/products?collection_id=${collection.id}`,
      headers: reader,
    });
    expect(none.json().data).toEqual([]);
    expect(
      (await t.app.inject({ url: `/admin/products/${product.id}`, headers: reader })).json().collection_ids,
    ).toEqual([]);
  });
});
