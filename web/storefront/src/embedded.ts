/**
 * Data the server embeds in the page as `<script type="application/json">` blocks: not executable, so
 * the Content-Security-Policy (no inline scripts) allows them.
 */
export function embedded<T>(id: 'stratus-config' | 'stratus-product'): T | undefined {
  const text = document.getElementById(id)?.textContent;
  return text ? (JSON.parse(text) as T) : undefined;
}
