import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, api } from './api.js';
import { useShop } from './store.js';

export interface CartLine {
  id: string;
  variant_id: string;
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
const KEY = 'stratus.cart';

export function useCart(): CartApi {
  const cart = useContext(CartContext);
  if (!cart) throw new Error('useCart outside CartProvider');
  return cart;
}

/** The cart id is kept in localStorage; every total shown comes from the server's totals engine. */
export function CartProvider({ children }: { children: ReactNode }) {
  const { region, regionParam } = useShop();
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
    const body = await api<Cart>('/store/carts', {
      method: 'POST',
      body: (regionParam ?? region?.id) ? { region_id: regionParam ?? region?.id } : {},
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
      },
      async setQuantity(lineId, quantity) {
        if (!cart) return;
        const body = await api<Cart>(`/store/carts/${cart.id}/line-items/${lineId}`, {
          method: 'PATCH',
          body: { quantity },
        });
        replace(body);
      },
      async remove(lineId) {
        if (!cart) return;
        const body = await api<Cart>(`/store/carts/${cart.id}/line-items/${lineId}`, {
          method: 'DELETE',
        });
        replace(body);
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
