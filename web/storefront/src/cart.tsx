import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { useAccount } from './account.js';
import { ApiError, api } from './api.js';
import { useShop } from './store.js';
import { type TrackedItem, track, visitorId } from './tracking.js';

export interface CartLine {
  id: string;
  variant_id: string;
  product_id: string;
  title: string;
  product_title: string;
  sku: string | null;
  quantity: number;
  unit_price: number;
  subtotal: number;
  discount_total: number;
  tax_total: number;
  total: number;
}
export interface Cart {
  id: string;
  region_id: string;
  currency_code: string;
  customer_id: string | null;
  email: string | null;
  items: CartLine[];
  discount_codes: string[];
  subtotal: number;
  discount_total: number;
  shipping_total: number;
  tax_total: number;
  total: number;
  tax_inclusive: boolean;
  status: string;
  order_id: string | null;
}

interface CartApi {
  cart: Cart | null;
  count: number;
  drawerOpen: boolean;
  openDrawer(): void;
  closeDrawer(): void;
  add(variantId: string, quantity: number): Promise<void>;
  setQuantity(lineId: string, quantity: number): Promise<void>;
  remove(lineId: string): Promise<void>;
  applyCode(code: string): Promise<void>;
  removeCode(code: string): Promise<void>;
  replace(cart: Cart | null): void;
  forget(): void;
}

const CartContext = createContext<CartApi | null>(null);

/** A cart line as an analytics item: the product is the item, the variant its variant. */
export function lineItem(cart: Cart, line: CartLine, quantity = line.quantity): TrackedItem {
  return {
    item_id: line.product_id,
    item_variant: line.variant_id,
    item_name: line.product_title,
    price: line.unit_price,
    quantity,
    currency: cart.currency_code,
  };
}
const KEY = 'stratus.cart';

export function useCart(): CartApi {
  const cart = useContext(CartContext);
  if (!cart) throw new Error('useCart outside CartProvider');
  return cart;
}

/** The cart id is kept in localStorage; every total shown comes from the server's totals engine. */
/** Event params for items of one cart: value in minor units and the cart's currency. */
export function tracked(cart: Cart, items: TrackedItem[]) {
  const value = items.reduce((sum, item) => sum + (item.price ?? 0) * (item.quantity ?? 1), 0);
  return { currency: cart.currency_code, value, items, region_id: cart.region_id };
}

export function CartProvider({ children }: { children: ReactNode }) {
  const { region, regionParam } = useShop();
  const { customer, call } = useAccount();
  const [cart, setCart] = useState<Cart | null>(null);
  const [drawerOpen, setDrawerOpen] = useState(false);

  const replace = useCallback((next: Cart | null) => {
    const open = next && next.status === 'open' ? next : null;
    if (open) localStorage.setItem(KEY, open.id);
    else localStorage.removeItem(KEY);
    setCart(open);
  }, []);

  useEffect(() => {
    const id = localStorage.getItem(KEY);
    if (!id) return;
    api<Cart>(`/store/carts/${id}`).then(
      (body) => replace(body),
      (error) => error instanceof ApiError && error.status === 404 && replace(null),
    );
  }, [replace]);

  // A signed-in shopper's cart is theirs, so the order shows in their account; on sign-out the cart
  // stays with the account and this browser starts afresh.
  useEffect(() => {
    if (customer === undefined || !cart) return;
    if (customer && cart.customer_id !== customer.id) {
      call<Cart>(`/store/carts/${cart.id}/customer`, { method: 'POST' }).then(replace, () => {});
    } else if (!customer && cart.customer_id) replace(null);
  }, [customer, cart, call, replace]);

  // A cart is bound to its region's currency and tax, so a region switch moves the lines and codes
  // to a new cart in the new region; the server prices them there (lines without a price stay behind).
  useEffect(() => {
    if (!cart || !regionParam || cart.region_id === regionParam) return;
    let live = true;
    (async () => {
      let moved = await api<Cart>('/store/carts', { method: 'POST', body: { region_id: regionParam } });
      for (const line of cart.items) {
        moved = await api<Cart>(`/store/carts/${moved.id}/line-items`, {
          method: 'POST',
          body: { variant_id: line.variant_id, quantity: line.quantity },
        }).catch(() => moved);
      }
      for (const code of cart.discount_codes) {
        moved = await api<Cart>(`/store/carts/${moved.id}/discounts`, {
          method: 'POST',
          body: { code },
        }).catch(() => moved);
      }
      if (live) replace(moved);
    })().catch(() => {});
    return () => {
      live = false;
    };
  }, [cart, regionParam, replace]);

  const ensure = useCallback(async (): Promise<Cart> => {
    if (cart) return cart;
    const regionId = regionParam ?? region?.id;
    const visitor = visitorId();
    const body = await api<Cart>('/store/carts', {
      method: 'POST',
      body: { ...(regionId ? { region_id: regionId } : {}), ...(visitor ? { visitor_id: visitor } : {}) },
    });
    replace(body);
    return body;
  }, [cart, region, regionParam, replace]);

  const value = useMemo<CartApi>(
    () => ({
      cart,
      count: cart?.items.reduce((sum, line) => sum + line.quantity, 0) ?? 0,
      drawerOpen,
      openDrawer: () => setDrawerOpen(true),
      closeDrawer: () => setDrawerOpen(false),
      async add(variantId, quantity) {
        const current = await ensure();
        const body = await api<Cart>(`/store/carts/${current.id}/line-items`, {
          method: 'POST',
          body: { variant_id: variantId, quantity },
        });
        replace(body);
        const line = body.items.find((l) => l.variant_id === variantId);
        if (line) track('add_to_cart', tracked(body, [lineItem(body, line, quantity)]));
      },
      async setQuantity(lineId, quantity) {
        if (!cart) return;
        const before = cart.items.find((l) => l.id === lineId);
        const body = await api<Cart>(`/store/carts/${cart.id}/line-items/${lineId}`, {
          method: 'PATCH',
          body: { quantity },
        });
        replace(body);
        if (before && quantity !== before.quantity) {
          const change = lineItem(body, before, Math.abs(quantity - before.quantity));
          track(quantity > before.quantity ? 'add_to_cart' : 'remove_from_cart', tracked(body, [change]));
        }
      },
      async remove(lineId) {
        if (!cart) return;
        const before = cart.items.find((l) => l.id === lineId);
        const body = await api<Cart>(`/store/carts/${cart.id}/line-items/${lineId}`, {
          method: 'DELETE',
        });
        replace(body);
        if (before) track('remove_from_cart', tracked(body, [lineItem(cart, before)]));
      },
      async applyCode(code) {
        if (!cart) return;
        const body = await api<Cart>(`/store/carts/${cart.id}/discounts`, {
          method: 'POST',
          body: { code },
        });
        replace(body);
      },
      async removeCode(code) {
        if (!cart) return;
        const body = await api<Cart>(`/store/carts/${cart.id}/discounts/${encodeURIComponent(code)}`, {
          method: 'DELETE',
        });
        replace(body);
      },
      replace,
      forget: () => replace(null),
    }),
    [cart, drawerOpen, ensure, replace],
  );
  return <CartContext.Provider value={value}>{children}</CartContext.Provider>;
}
