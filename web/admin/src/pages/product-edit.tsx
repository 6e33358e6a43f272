import { type FormEvent, useEffect, useState } from 'react';
import { Link } from 'wouter';
import {
  type AdminProduct,
  type Category,
  type Collection,
  categoryTree,
  loadCategories,
  loadCollections,
  type ProductPatch,
  SUGGESTED_LOCALES,
} from '../api/catalog.js';
import { api, must } from '../api/client.js';
import { loadRegions } from '../api/regions.js';
import { ErrorMessage } from '../components/layout.js';
import { majorUnits, minorUnits } from '../format.js';
import { useAction, useLoad } from '../hooks.js';
import { type MessageKey, useT } from '../i18n.js';
import { useSession } from '../session.js';

type Status = 'draft' | 'published' | 'archived';
type AttributeType = 'text' | 'number' | 'boolean' | 'date';
/** The product's own text fields that have a translation per locale. */
const TEXT_FIELDS = ['title', 'subtitle', 'description', 'seo_title', 'seo_description'] as const;
type TextField = (typeof TEXT_FIELDS)[number];
const FIELD_LABELS: Record<TextField, MessageKey> = {
  title: 'products.name',
  subtitle: 'editor.subtitle',
  description: 'products.description',
  seo_title: 'editor.seoTitle',
  seo_description: 'editor.seoDescription',
};

interface Draft {
  title: string;
  handle: string;
  subtitle: string;
  description: string;
  status: Status;
  seo_title: string;
  seo_description: string;
  product_type: string;
  tags: string;
  attributes: Array<{ key: string; type: AttributeType; value: string }>;
  /** `original`: the option's saved name (null for a new one); `fill`: a new option's value for existing variants. */
  options: Array<{ name: string; values: string; original: string | null; fill: string }>;
  images: Array<{ key: number; url: string; alt: string }>;
  gltf: string;
  usdz: string;
  translations: Record<string, Partial<Record<TextField, string>>>;
  category_ids: string[];
  collection_ids: string[];
}

/** React keys for image rows, which the merchant reorders. */
let nextKey = 0;

function toDraft(p: AdminProduct): Draft {
  return {
    title: p.title,
    handle: p.handle,
    subtitle: p.subtitle ?? '',
    description: p.description,
    status: p.status,
    seo_title: p.seo_title ?? '',
    seo_description: p.seo_description ?? '',
    product_type: p.product_type ?? '',
    tags: p.tags.join(', '),
    attributes: p.attributes.map((a) => ({ key: a.key, type: a.type, value: String(a.value) })),
    options: p.options.map((o) => ({
      name: o.name,
      values: o.values.join(', '),
      original: o.name,
      fill: '',
    })),
    images: p.media
      .filter((m) => m.kind === 'image')
      .map((m) => ({ key: nextKey++, url: m.url, alt: m.alt ?? '' })),
    gltf: p.media.find((m) => m.kind === 'model' && m.format !== 'usdz')?.url ?? '',
    usdz: p.media.find((m) => m.kind === 'model' && m.format === 'usdz')?.url ?? '',
    translations: Object.fromEntries(
      Object.entries(p.translations).map(([locale, text]) => [
        locale,
        Object.fromEntries(TEXT_FIELDS.map((f) => [f, text[f] ?? ''])),
      ]),
    ),
    category_ids: p.category_ids,
    collection_ids: p.collection_ids,
  };
}

const list = (typed: string) =>
  typed
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function attributeValue(type: AttributeType, value: string): string | number | boolean {
  if (type === 'number') return value.trim() === '' ? Number.NaN : Number(value.replace(',', '.'));
  if (type === 'boolean') return value === 'true';
  return value;
}

/**
 * When the options change, each existing variant's values go in the same PATCH: a renamed option keeps the
 * variant's value, a new one takes the value chosen for existing variants, a removed one is dropped.
 */
function variantOptions(d: Draft, product: AdminProduct): ProductPatch['variant_options'] {
  const options = d.options.map((o) => ({ name: o.name.trim(), values: list(o.values) }));
  if (JSON.stringify(options) === JSON.stringify(product.options)) return undefined;
  return Object.fromEntries(
    product.variants.map((variant) => [
      variant.id,
      Object.fromEntries(
        d.options.flatMap((o) => {
          const value = o.original !== null ? variant.options[o.original] : o.fill || list(o.values)[0];
          return value ? [[o.name.trim(), value]] : [];
        }),
      ),
    ]),
  );
}

/** The PATCH body: every field the form edits, so what is on screen is what is saved. */
function toPatch(d: Draft, product: AdminProduct): ProductPatch {
  const variant_options = variantOptions(d, product);
  const media: ProductPatch['media'] = d.images.map((m) => ({
    url: m.url.trim(),
    kind: 'image' as const,
    ...(m.alt.trim() ? { alt: m.alt.trim() } : {}),
  }));
  if (d.gltf.trim()) {
    const url = d.gltf.trim();
    media.push({
      url,
      kind: 'model',
      format: /\.glb$/i.test(new URL(url, location.href).pathname) ? 'glb' : 'gltf',
    });
  }
  if (d.usdz.trim()) media.push({ url: d.usdz.trim(), kind: 'model', format: 'usdz' });
  const translations: NonNullable<ProductPatch['translations']> = {};
  for (const [locale, text] of Object.entries(d.translations)) {
    const filled = Object.fromEntries(
      Object.entries(text)
        .map(([field, value]) => [field, (value ?? '').trim()])
        .filter(([, value]) => value !== ''),
    );
    if (Object.keys(filled).length > 0) translations[locale] = filled;
  }
  return {
    title: d.title.trim(),
    handle: d.handle.trim(),
    subtitle: d.subtitle.trim() || null,
    description: d.description,
    status: d.status,
    seo_title: d.seo_title.trim() || null,
    seo_description: d.seo_description.trim() || null,
    product_type: d.product_type.trim() || null,
    tags: list(d.tags),
    attributes: d.attributes.map((a) => ({
      key: a.key.trim(),
      type: a.type,
      value: attributeValue(a.type, a.value),
    })),
    options: d.options.map((o) => ({ name: o.name.trim(), values: list(o.values) })),
    ...(variant_options ? { variant_options } : {}),
    media,
    translations,
    category_ids: d.category_ids,
    collection_ids: d.collection_ids,
  };
}

/** The full product editor: text, SEO, taxonomy, media and 3D model, translations, options, variants, prices. */
export default function ProductEdit({ id }: { id: string }) {
  const t = useT();
  const { can } = useSession();
  const loaded = useLoad(
    async () => must(await api.GET('/admin/products/{id}', { params: { path: { id } } })),
    [id],
  );
  const categories = useLoad(loadCategories, []);
  const collections = useLoad(loadCollections, []);
  const regions = useLoad(() => loadRegions(can('regions:read')), []);
  const [product, setProduct] = useState<AdminProduct | null>(null);
  // Bumped when the server's copy replaces what the variant rows show (after any save).
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (loaded.data) setProduct(loaded.data);
  }, [loaded.data]);

  if (loaded.error) return <ErrorMessage error={loaded.error} />;
  if (!product || product.id !== id) return <p className="loading">{t('common.loading')}</p>;
  const saved = (next: AdminProduct) => {
    setProduct(next);
    setVersion((v) => v + 1);
  };
  const currencies = [
    ...new Set([
      ...(regions.data ?? []).map((r) => r.currency_code.toLowerCase()),
      ...product.variants.flatMap((v) => v.prices.map((p) => p.currency_code.toLowerCase())),
    ]),
  ].sort();
  return (
    <section>
      <header className="page-header">
        <h1>{t('editor.title', { title: product.title })}</h1>
        <Link href="/products">{t('editor.back')}</Link>
      </header>
      <ProductForm
        key={product.id}
        product={product}
        categories={categories.data ?? []}
        collections={collections.data ?? []}
        onSaved={saved}
        canWrite={can('catalog:write')}
      />
      <ErrorMessage error={categories.error ?? collections.error ?? regions.error} />
      <Variants
        key={`${product.id}:${version}`}
        product={product}
        currencies={currencies}
        onSaved={saved}
        canWrite={can('catalog:write')}
        canPrice={can('pricing:write')}
      />
    </section>
  );
}

function ProductForm({
  product,
  categories,
  collections,
  onSaved,
  canWrite,
}: {
  product: AdminProduct;
  categories: Category[];
  collections: Collection[];
  onSaved: (p: AdminProduct) => void;
  canWrite: boolean;
}) {
  const t = useT();
  const action = useAction();
  const [draft, setDraft] = useState<Draft>(() => toDraft(product));
  const [done, setDone] = useState(false);
  const [newImage, setNewImage] = useState({ url: '', alt: '' });
  const [newLocale, setNewLocale] = useState('');
  const set = (change: Partial<Draft>) => {
    setDone(false);
    setDraft({ ...draft, ...change });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    void action.run(async () => {
      const next = must(
        await api.PATCH('/admin/products/{id}', {
          params: { path: { id: product.id } },
          body: toPatch(draft, product),
        }),
      );
      setDraft(toDraft(next));
      onSaved(next);
      setDone(true);
    });
  };
  const moveImage = (from: number, to: number) => {
    const images = [...draft.images];
    const [moved] = images.splice(from, 1);
    if (moved) images.splice(to, 0, moved);
    set({ images });
  };
  const toggle = (key: 'category_ids' | 'collection_ids', id: string) =>
    set({ [key]: draft[key].includes(id) ? draft[key].filter((x) => x !== id) : [...draft[key], id] });
  const locales = Object.keys(draft.translations);
  const addable = [...new Set([...SUGGESTED_LOCALES])].filter((l) => !locales.includes(l) && l !== 'en');

  return (
    <form className="editor wide" onSubmit={submit} aria-label={t('editor.productForm')}>
      <fieldset disabled={!canWrite}>
        <legend>{t('editor.details')}</legend>
        <label>
          {t('products.name')}
          <input
            value={draft.title}
            onChange={(e) => set({ title: e.target.value })}
            required
            maxLength={300}
          />
        </label>
        <label>
          {t('editor.handle')}
          <input
            value={draft.handle}
            onChange={(e) => set({ handle: e.target.value })}
            required
            pattern="[a-z0-9]+(-[a-z0-9]+)*"
            maxLength={200}
          />
        </label>
        <label>
          {t('editor.subtitle')}
          <input value={draft.subtitle} onChange={(e) => set({ subtitle: e.target.value })} maxLength={300} />
        </label>
        <label>
          {t('products.description')}
          <textarea
            value={draft.description}
            onChange={(e) => set({ description: e.target.value })}
            rows={5}
          />
        </label>
        <div className="row">
          <label>
            {t('orders.status')}
            <select value={draft.status} onChange={(e) => set({ status: e.target.value as Status })}>
              {(['draft', 'published', 'archived'] as const).map((s) => (
                <option key={s} value={s}>
                  {t(`product.${s}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('editor.productType')}
            <input
              value={draft.product_type}
              onChange={(e) => set({ product_type: e.target.value })}
              maxLength={100}
            />
          </label>
          <label>
            {t('editor.tags')}
            <input value={draft.tags} onChange={(e) => set({ tags: e.target.value })} />
          </label>
        </div>
      </fieldset>

      <fieldset disabled={!canWrite}>
        <legend>{t('editor.seo')}</legend>
        <label>
          {t('editor.seoTitle')}
          <input
            value={draft.seo_title}
            onChange={(e) => set({ seo_title: e.target.value })}
            maxLength={300}
          />
        </label>
        <label>
          {t('editor.seoDescription')}
          <textarea
            value={draft.seo_description}
            onChange={(e) => set({ seo_description: e.target.value })}
            rows={2}
            maxLength={1000}
          />
        </label>
      </fieldset>

      <fieldset disabled={!canWrite}>
        <legend>{t('editor.media')}</legend>
        {draft.images.length === 0 && <p className="muted">{t('editor.noImages')}</p>}
        <ol className="media-list" data-testid="media-list">
          {draft.images.map((image, index) => (
            <li key={image.key} className="variant-row">
              <img src={image.url} alt={image.alt} className="thumb" />
              <span className="media-url">{image.url}</span>
              <label>
                {t('editor.altOf', { n: index + 1 })}
                <input
                  value={image.alt}
                  maxLength={300}
                  onChange={(e) =>
                    set({
                      images: draft.images.map((m, i) => (i === index ? { ...m, alt: e.target.value } : m)),
                    })
                  }
                />
              </label>
              <button
                type="button"
                className="secondary"
                disabled={index === 0}
                onClick={() => moveImage(index, index - 1)}
              >
                {t('editor.moveUp', { n: index + 1 })}
              </button>
              <button
                type="button"
                className="secondary"
                disabled={index === draft.images.length - 1}
                onClick={() => moveImage(index, index + 1)}
              >
                {t('editor.moveDown', { n: index + 1 })}
              </button>
              <button
                type="button"
                className="link"
                onClick={() => set({ images: draft.images.filter((_, i) => i !== index) })}
              >
                {t('editor.removeImage', { n: index + 1 })}
              </button>
            </li>
          ))}
        </ol>
        <div className="inline-form">
          <label>
            {t('editor.imageUrl')}
            <input
              type="url"
              value={newImage.url}
              onChange={(e) => setNewImage({ ...newImage, url: e.target.value })}
              placeholder="https://"
            />
          </label>
          <label>
            {t('editor.imageAlt')}
            <input
              value={newImage.alt}
              maxLength={300}
              onChange={(e) => setNewImage({ ...newImage, alt: e.target.value })}
            />
          </label>
          <button
            type="button"
            className="secondary"
            disabled={!/^https?:\/\/.+/.test(newImage.url.trim())}
            onClick={() => {
              set({
                images: [
                  ...draft.images,
                  { key: nextKey++, url: newImage.url.trim(), alt: newImage.alt.trim() },
                ],
              });
              setNewImage({ url: '', alt: '' });
            }}
          >
            {t('editor.addImage')}
          </button>
        </div>
        <label>
          {t('editor.modelGltf')}
          <input
            type="url"
            value={draft.gltf}
            onChange={(e) => set({ gltf: e.target.value })}
            placeholder="https://…/model.glb"
          />
        </label>
        <label>
          {t('editor.modelUsdz')}
          <input
            type="url"
            value={draft.usdz}
            onChange={(e) => set({ usdz: e.target.value })}
            placeholder="https://…/model.usdz"
          />
        </label>
      </fieldset>

      <fieldset disabled={!canWrite}>
        <legend>{t('editor.taxonomy')}</legend>
        <div className="grid-2">
          <fieldset className="checklist">
            <legend>{t('nav.categories')}</legend>
            {categories.length === 0 && <p className="muted">{t('common.none')}</p>}
            {categoryTree(categories).map((c) => (
              <label key={c.id} className="inline" style={{ paddingLeft: `${c.depth * 1.25}rem` }}>
                <input
                  type="checkbox"
                  checked={draft.category_ids.includes(c.id)}
                  onChange={() => toggle('category_ids', c.id)}
                />
                {c.name}
              </label>
            ))}
          </fieldset>
          <fieldset className="checklist">
            <legend>{t('nav.collections')}</legend>
            {collections.length === 0 && <p className="muted">{t('common.none')}</p>}
            {collections.map((c) => (
              <label key={c.id} className="inline">
                <input
                  type="checkbox"
                  checked={draft.collection_ids.includes(c.id)}
                  onChange={() => toggle('collection_ids', c.id)}
                />
                {c.title}
              </label>
            ))}
          </fieldset>
        </div>
      </fieldset>

      <fieldset disabled={!canWrite}>
        <legend>{t('editor.attributes')}</legend>
        {draft.attributes.map((attribute, index) => {
          const change = (c: Partial<Draft['attributes'][number]>) =>
            set({ attributes: draft.attributes.map((a, i) => (i === index ? { ...a, ...c } : a)) });
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place
            <div className="variant-row" key={index}>
              <label>
                {t('editor.attributeKey', { n: index + 1 })}
                <input
                  value={attribute.key}
                  onChange={(e) => change({ key: e.target.value })}
                  required
                  pattern="[a-z0-9_]+"
                />
              </label>
              <label>
                {t('editor.attributeType', { n: index + 1 })}
                <select
                  value={attribute.type}
                  onChange={(e) => change({ type: e.target.value as AttributeType, value: '' })}
                >
                  {(['text', 'number', 'boolean', 'date'] as const).map((type) => (
                    <option key={type} value={type}>
                      {t(`editor.type.${type}`)}
                    </option>
                  ))}
                </select>
              </label>
              {attribute.type === 'boolean' ? (
                <label>
                  {t('editor.attributeValue', { n: index + 1 })}
                  <select value={attribute.value} onChange={(e) => change({ value: e.target.value })}>
                    <option value="true">{t('common.yes')}</option>
                    <option value="false">{t('common.no')}</option>
                  </select>
                </label>
              ) : (
                <label>
                  {t('editor.attributeValue', { n: index + 1 })}
                  <input
                    type={attribute.type === 'date' ? 'date' : 'text'}
                    inputMode={attribute.type === 'number' ? 'decimal' : undefined}
                    value={attribute.value}
                    onChange={(e) => change({ value: e.target.value })}
                  />
                </label>
              )}
              <button
                type="button"
                className="link"
                onClick={() => set({ attributes: draft.attributes.filter((_, i) => i !== index) })}
              >
                {t('editor.removeAttribute', { n: index + 1 })}
              </button>
            </div>
          );
        })}
        <button
          type="button"
          className="secondary"
          onClick={() => set({ attributes: [...draft.attributes, { key: '', type: 'text', value: '' }] })}
        >
          {t('editor.addAttribute')}
        </button>
      </fieldset>

      <fieldset disabled={!canWrite}>
        <legend>{t('editor.options')}</legend>
        <p className="muted">{t('editor.optionsHelp')}</p>
        {draft.options.map((option, index) => {
          const change = (c: Partial<Draft['options'][number]>) =>
            set({ options: draft.options.map((o, i) => (i === index ? { ...o, ...c } : o)) });
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place
            <div className="variant-row" key={index}>
              <label>
                {t('editor.optionName', { n: index + 1 })}
                <input value={option.name} onChange={(e) => change({ name: e.target.value })} required />
              </label>
              <label>
                {t('editor.optionValues', { n: index + 1 })}
                <input value={option.values} onChange={(e) => change({ values: e.target.value })} required />
              </label>
              {option.original === null && product.variants.length > 0 && (
                <label>
                  {t('editor.optionFill', { n: index + 1 })}
                  <select value={option.fill} onChange={(e) => change({ fill: e.target.value })}>
                    {list(option.values).map((value) => (
                      <option key={value} value={value}>
                        {value}
                      </option>
                    ))}
                  </select>
                </label>
              )}
              <button
                type="button"
                className="link"
                onClick={() => set({ options: draft.options.filter((_, i) => i !== index) })}
              >
                {t('editor.removeOption', { n: index + 1 })}
              </button>
            </div>
          );
        })}
        {draft.options.length < 3 && (
          <button
            type="button"
            className="secondary"
            onClick={() =>
              set({ options: [...draft.options, { name: '', values: '', original: null, fill: '' }] })
            }
          >
            {t('editor.addOption')}
          </button>
        )}
      </fieldset>

      <fieldset disabled={!canWrite}>
        <legend>{t('editor.translations')}</legend>
        <p className="muted">{t('editor.translationsHelp')}</p>
        {locales.map((locale) => (
          <fieldset key={locale} data-testid={`translation-${locale}`}>
            <legend>{t('editor.locale', { locale })}</legend>
            {TEXT_FIELDS.map((field) => {
              const fallback = draft[field];
              const value = draft.translations[locale]?.[field] ?? '';
              const change = (v: string) =>
                set({
                  translations: {
                    ...draft.translations,
                    [locale]: { ...draft.translations[locale], [field]: v },
                  },
                });
              const label = `${t(FIELD_LABELS[field])} (${locale})`;
              return (
                <div key={field}>
                  {field === 'description' ? (
                    <label>
                      {label}
                      <textarea
                        value={value}
                        onChange={(e) => change(e.target.value)}
                        rows={3}
                        placeholder={fallback}
                      />
                    </label>
                  ) : (
                    <label>
                      {label}
                      <input value={value} onChange={(e) => change(e.target.value)} placeholder={fallback} />
                    </label>
                  )}
                  {!value && fallback && (
                    <small className="muted">{t('editor.fallback', { value: fallback.slice(0, 120) })}</small>
                  )}
                </div>
              );
            })}
            <button
              type="button"
              className="link"
              onClick={() => {
                const { [locale]: _, ...rest } = draft.translations;
                set({ translations: rest });
              }}
            >
              {t('editor.removeTranslation', { locale })}
            </button>
          </fieldset>
        ))}
        <div className="inline-form">
          <label>
            {t('editor.newLocale')}
            <input
              list="locale-suggestions"
              value={newLocale}
              onChange={(e) => setNewLocale(e.target.value)}
              pattern="[a-z]{2}(-[A-Z]{2})?"
              placeholder="pl"
            />
            <datalist id="locale-suggestions">
              {addable.map((l) => (
                <option key={l} value={l} />
              ))}
            </datalist>
          </label>
          <button
            type="button"
            className="secondary"
            disabled={!/^[a-z]{2}(-[A-Z]{2})?$/.test(newLocale) || locales.includes(newLocale)}
            onClick={() => {
              set({ translations: { ...draft.translations, [newLocale]: {} } });
              setNewLocale('');
            }}
          >
            {t('editor.addTranslation')}
          </button>
        </div>
      </fieldset>

      <ErrorMessage error={action.error} />
      {done && (
        <p role="status" data-testid="product-saved">
          {t('editor.saved')}
        </p>
      )}
      {canWrite && (
        <button type="submit" disabled={action.busy}>
          {t('editor.save')}
        </button>
      )}
    </form>
  );
}

interface VariantDraft {
  id: string | null;
  title: string;
  sku: string;
  barcode: string;
  weight: string;
  options: Record<string, string>;
  prices: Record<string, string>;
  /** The variant's title per locale. */
  translations: Record<string, string>;
}

function variantDraft(v: AdminProduct['variants'][number]): VariantDraft {
  return {
    id: v.id,
    title: v.title,
    sku: v.sku ?? '',
    barcode: v.barcode ?? '',
    weight: v.weight_grams === null ? '' : String(v.weight_grams),
    options: v.options,
    translations: Object.fromEntries(
      Object.entries(v.translations).map(([l, text]) => [l, text.title ?? '']),
    ),
    prices: Object.fromEntries(
      v.prices.map((p) => [p.currency_code.toLowerCase(), majorUnits(p.amount, p.currency_code)]),
    ),
  };
}

/** Variant rows: each saved on its own (its fields, then its base prices per currency). */
function Variants({
  product,
  currencies,
  onSaved,
  canWrite,
  canPrice,
}: {
  product: AdminProduct;
  currencies: string[];
  onSaved: (p: AdminProduct) => void;
  canWrite: boolean;
  canPrice: boolean;
}) {
  const t = useT();
  const [rows, setRows] = useState<VariantDraft[]>(() => product.variants.map(variantDraft));
  const blank = (): VariantDraft => ({
    id: null,
    title: '',
    sku: '',
    barcode: '',
    weight: '',
    options: {},
    prices: {},
    translations: {},
  });
  return (
    <section className="panel" aria-labelledby="variants-heading">
      <h2 id="variants-heading">{t('products.variants')}</h2>
      {rows.map((row, index) => (
        <VariantRow
          key={row.id ?? `new-${index}`}
          n={index + 1}
          row={row}
          product={product}
          currencies={currencies}
          canWrite={canWrite}
          canPrice={canPrice}
          onChange={(next) => setRows(rows.map((r, i) => (i === index ? next : r)))}
          onDiscard={() => setRows(rows.filter((_, i) => i !== index))}
          onSaved={onSaved}
        />
      ))}
      {canWrite && (
        <button type="button" className="secondary" onClick={() => setRows([...rows, blank()])}>
          {t('products.addVariant')}
        </button>
      )}
    </section>
  );
}

function VariantRow({
  n,
  row,
  product,
  currencies,
  canWrite,
  canPrice,
  onChange,
  onDiscard,
  onSaved,
}: {
  n: number;
  row: VariantDraft;
  product: AdminProduct;
  currencies: string[];
  canWrite: boolean;
  canPrice: boolean;
  onChange: (row: VariantDraft) => void;
  onDiscard: () => void;
  onSaved: (p: AdminProduct) => void;
}) {
  const t = useT();
  const action = useAction();
  const existing = product.variants.find((v) => v.id === row.id);
  const set = (change: Partial<VariantDraft>) => onChange({ ...row, ...change });
  const save = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const fields = {
        sku: row.sku.trim() || null,
        barcode: row.barcode.trim() || null,
        weight_grams: row.weight.trim() === '' ? null : Math.round(Number(row.weight)),
        ...(row.title.trim() ? { title: row.title.trim() } : {}),
        options: row.options,
        translations: Object.fromEntries(
          Object.entries(row.translations)
            .filter(([, title]) => title.trim())
            .map(([locale, title]) => [locale, { title: title.trim() }]),
        ),
      };
      const base = currencies.flatMap((currency) => {
        const amount = minorUnits(row.prices[currency] ?? '', currency);
        return amount === null ? [] : [{ currency_code: currency, amount }];
      });
      let next: AdminProduct;
      if (row.id) {
        next = must(
          await api.PATCH('/admin/products/{id}/variants/{variant_id}', {
            params: { path: { id: product.id, variant_id: row.id } },
            body: fields,
          }),
        );
        if (canPrice) {
          // The base price per currency; quantity tiers set elsewhere (min_quantity > 1) are kept.
          const current = must(
            await api.GET('/admin/variants/{variant_id}/prices', {
              params: { path: { variant_id: row.id } },
            }),
          );
          const tiers = current.prices.filter((p) => p.min_quantity > 1);
          must(
            await api.PUT('/admin/variants/{variant_id}/prices', {
              params: { path: { variant_id: row.id } },
              body: { prices: [...base.map((p) => ({ ...p, min_quantity: 1 })), ...tiers] },
            }),
          );
          next = must(await api.GET('/admin/products/{id}', { params: { path: { id: product.id } } }));
        }
      } else {
        next = must(
          await api.POST('/admin/products/{id}/variants', {
            params: { path: { id: product.id } },
            body: { ...fields, ...(canPrice ? { prices: base } : {}) },
          }),
        );
      }
      onSaved(next);
    });
  };
  const remove = () =>
    void action.run(async () => {
      if (!row.id) return onDiscard();
      const next = must(
        await api.DELETE('/admin/products/{id}/variants/{variant_id}', {
          params: { path: { id: product.id, variant_id: row.id } },
        }),
      );
      onSaved(next);
    });
  return (
    <form
      className="variant-row"
      onSubmit={save}
      data-testid="variant-row"
      aria-label={t('editor.variantN', { n })}
    >
      <fieldset disabled={!canWrite} className="bare">
        <label>
          {t('editor.variantTitle', { n })}
          <input
            value={row.title}
            onChange={(e) => set({ title: e.target.value })}
            placeholder={existing?.title}
          />
        </label>
        {[...new Set([...Object.keys(product.translations), ...Object.keys(row.translations)])].map(
          (locale) => (
            <label key={locale}>
              {t('editor.variantTitleIn', { n, locale })}
              <input
                value={row.translations[locale] ?? ''}
                onChange={(e) => set({ translations: { ...row.translations, [locale]: e.target.value } })}
                placeholder={row.title}
                maxLength={300}
              />
            </label>
          ),
        )}
        <label>
          {t('products.sku', { n })}
          <input value={row.sku} onChange={(e) => set({ sku: e.target.value })} maxLength={100} />
        </label>
        <label>
          {t('editor.barcode', { n })}
          <input value={row.barcode} onChange={(e) => set({ barcode: e.target.value })} maxLength={100} />
        </label>
        <label>
          {t('editor.weight', { n })}
          <input
            type="number"
            min={0}
            step={1}
            value={row.weight}
            onChange={(e) => set({ weight: e.target.value })}
          />
        </label>
        {product.options.map((option) => (
          <label key={option.name}>
            {t('products.optionValue', { option: option.name, n })}
            <select
              value={row.options[option.name] ?? ''}
              required
              onChange={(e) => set({ options: { ...row.options, [option.name]: e.target.value } })}
            >
              <option value="" disabled>
                —
              </option>
              {option.values.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </label>
        ))}
        {currencies.map((currency) => (
          <label key={currency}>
            {t('products.price', { currency: currency.toUpperCase(), n })}
            <input
              inputMode="decimal"
              value={row.prices[currency] ?? ''}
              readOnly={!canPrice}
              onChange={(e) => set({ prices: { ...row.prices, [currency]: e.target.value } })}
            />
          </label>
        ))}
      </fieldset>
      {canWrite && (
        <div className="actions">
          <button type="submit" disabled={action.busy}>
            {row.id ? t('editor.saveVariant', { n }) : t('editor.createVariant', { n })}
          </button>
          <button type="button" className="link" disabled={action.busy} onClick={remove}>
            {t('products.removeVariant', { n })}
          </button>
        </div>
      )}
      <ErrorMessage error={action.error} />
    </form>
  );
}
