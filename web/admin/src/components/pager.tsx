import { useT } from '../i18n.js';

/**
 * Previous/next for a keyset-paginated list: `cursors` is the stack of cursors that led to the shown
 * page (empty on the first), `next` the API's `next_cursor`.
 */
export function Pager({
  cursors,
  setCursors,
  next,
}: {
  cursors: string[];
  setCursors: (cursors: string[]) => void;
  next: string | null | undefined;
}) {
  const t = useT();
  return (
    <nav className="pager" aria-label={t('common.pages')}>
      <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
        {t('common.previous')}
      </button>
      <button type="button" disabled={!next} onClick={() => next && setCursors([...cursors, next])}>
        {t('common.next')}
      </button>
    </nav>
  );
}
