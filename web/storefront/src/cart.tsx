import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, api } from './api.js';
import { useShop } from './store.js';

export interface CartLine {
  id: string;
  variant_id: string;
  title: string;
  product_title: string;
  product_handle?: string | null;
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
  completed_at?: string | null;
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
    if (next && !next.completed_at) localStorage.setItem(KEY, next.id);
    else localStorage.removeItem(KEY);
    setCart(next && !next.completed_at ? next : null);
  }, []);

  useEffect(() => {
    const id = localStorage.getItem(KEY);
    if (!id) return;
    api<Cart>(`/store/carts/${id}`).then(
      (body) => replace(body),
      (error) => error instanceof ApiError && error.status === 404 && replace(null),
    );
  }, [replace]);

  // A region switch moves the cart to the new region so its prices and tax follow.
  useEffect(() => {
    if (!cart || !region || cart.region_id === region.id) return;
    api<Cart>(`/store/carts/${cart.id}`, { method: 'PATCH', body: { region_id: region.id } }).then(
      (body) => replace(body),
      () => {},
    );
  }, [cart, region, replace]);

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
