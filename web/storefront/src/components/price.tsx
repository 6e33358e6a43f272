import type { Price } from '../api.js';
import { formatMoney, formatRate } from '../format.js';
import { useT } from '../i18n.js';
import { useShop } from '../store.js';

/** The server's price: the sale price beside the struck-out original, and the tax note for the region. */
export function PriceTag({ price, taxNote = false }: { price: Price | null; taxNote?: boolean }) {
  const t = useT();
  const { locale } = useShop();
  if (!price) return <span className="price price--none">{t('price.unavailable')}</span>;
  const onSale = price.amount < price.original_amount;
  return (
    <span className="price" data-testid="price">
      <span
        className={onSale ? 'price__amount price__amount--sale' : 'price__amount'}
        data-amount={price.amount}
      >
        {formatMoney(price.amount, price.currency_code, locale)}
      </span>
      {onSale && (
        <s className="price__original">
          <span className="sr-only">{t('price.was')} </span>
          {formatMoney(price.original_amount, price.currency_code, locale)}
        </s>
      )}
      {taxNote && (
        <small className="price__tax" data-testid="tax-note">
          {price.tax_inclusive
            ? t('price.taxIncluded', { rate: formatRate(price.tax_rate_bp, locale) })
            : price.tax_rate_bp > 0
              ? t('price.taxExcluded', { rate: formatRate(price.tax_rate_bp, locale) })
              : t('price.noTax')}
        </small>
      )}
    </span>
  );
}
