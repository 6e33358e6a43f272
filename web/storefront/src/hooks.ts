import { useEffect, useState } from 'react';

export type Loadable<T> =
  | { state: 'loading'; data?: T }
  | { state: 'ready'; data: T }
  | { state: 'error'; error: Error; data?: T };

/**
 * Runs `load` whenever `key` changes and ignores answers to superseded keys. `seed` is data the
 * server already embedded in the page for that key, so the first render needs no request.
 */
export function useLoad<T>(
  key: string | null,
  load: () => Promise<T>,
  seed?: { key: string; data: T },
): Loadable<T> {
  const [result, setResult] = useState<{ key: string | null; value: Loadable<T> }>(() =>
    seed && seed.key === key
      ? { key, value: { state: 'ready', data: seed.data } }
      : { key: null, value: { state: 'loading' } },
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key names everything load depends on
  useEffect(() => {
    if (key === null || result.key === key) return;
    let live = true;
    setResult((previous) => ({ key, value: { state: 'loading', data: previous.value.data } }));
    load().then(
      (data) => live && setResult({ key, value: { state: 'ready', data } }),
      (error: Error) => live && setResult({ key, value: { state: 'error', error } }),
    );
    return () => {
      live = false;
    };
  }, [key]);
  return result.value;
}

export function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}
