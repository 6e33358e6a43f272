import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { useT } from '../i18n.js';
import { ErrorMessage } from './layout.js';

export interface PickerItem {
  id: string;
  label: string;
}

/**
 * Picks one or many items from a long list by typing: a WAI-ARIA combobox over a search API (the
 * products list's `q`, say) instead of a `<select>` of the first page. Arrow keys move through the
 * matches, Enter chooses, Escape closes; chosen items are listed with a remove button each.
 * `resolve` names ids chosen before (an edited rule) that no search has shown yet.
 *
 * @example
 *   <SearchPicker label="Products" what="products" value={ids} onChange={setIds}
 *     search={(q) => findProducts(q)} resolve={(ids) => productsById(ids)} />
 */
export function SearchPicker({
  label,
  what,
  value,
  onChange,
  search,
  resolve,
  multiple = true,
  disabled = false,
}: {
  label: string;
  /** What is searched, in the sentence "Search {what}". */
  what: string;
  value: string[];
  onChange: (ids: string[]) => void;
  search: (query: string) => Promise<PickerItem[]>;
  resolve?: (ids: string[]) => Promise<PickerItem[]>;
  multiple?: boolean;
  disabled?: boolean;
}) {
  const t = useT();
  const id = useId();
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(false);
  const [matches, setMatches] = useState<PickerItem[] | null>(null);
  const [active, setActive] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [labels, setLabels] = useState<Map<string, string>>(new Map());
  const searched = useRef(0);

  // Debounced type-ahead; an older answer arriving late is dropped.
  useEffect(() => {
    if (!open) return;
    const turn = ++searched.current;
    const timer = setTimeout(() => {
      search(query.trim()).then(
        (found) => {
          if (turn !== searched.current) return;
          setError(null);
          setMatches(found);
          setActive(0);
          setLabels((known) => new Map([...known, ...found.map((f) => [f.id, f.label] as const)]));
        },
        (caught) => turn === searched.current && setError(caught),
      );
    }, 200);
    return () => clearTimeout(timer);
  }, [query, open, search]);

  const unknown = value.filter((v) => !labels.has(v));
  const unknownKey = unknown.join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: resolve once per set of unnamed ids
  useEffect(() => {
    if (!resolve || unknown.length === 0) return;
    resolve(unknown).then(
      (found) => setLabels((known) => new Map([...known, ...found.map((f) => [f.id, f.label] as const)])),
      () => {},
    );
  }, [unknownKey]);

  const choose = (item: PickerItem) => {
    setLabels((known) => new Map(known).set(item.id, item.label));
    if (multiple) onChange(value.includes(item.id) ? value : [...value, item.id]);
    else onChange([item.id]);
    setQuery('');
    if (!multiple) setOpen(false);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const list = matches ?? [];
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      if (!open) setOpen(true);
      else setActive((a) => Math.min(a + 1, list.length - 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (event.key === 'Enter') {
      if (open && list[active]) {
        event.preventDefault();
        choose(list[active]);
      }
    } else if (event.key === 'Escape') {
      if (open) {
        event.preventDefault();
        setOpen(false);
      }
    }
  };

  const listId = `${id}-list`;
  const hintId = `${id}-hint`;
  const optionId = (index: number) => `${id}-option-${index}`;
  const shown = open ? (matches ?? []) : [];
  return (
    <div className="search-picker">
      <label htmlFor={`${id}-input`}>{label}</label>
      {value.length > 0 && (
        <ul className="chosen" aria-label={t('picker.chosen', { what })}>
          {value.map((chosen) => {
            const name = labels.get(chosen) ?? chosen;
            return (
              <li key={chosen} data-testid="picker-chosen">
                <span>{name}</span>
                {!disabled && (
                  <button
                    type="button"
                    className="link"
                    aria-label={t('picker.remove', { label: name })}
                    onClick={() => onChange(value.filter((v) => v !== chosen))}
                  >
                    ×
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <input
        id={`${id}-input`}
        type="search"
        role="combobox"
        autoComplete="off"
        placeholder={t('picker.search', { what })}
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-describedby={hintId}
        aria-activedescendant={open && shown[active] ? optionId(active) : undefined}
        value={query}
        disabled={disabled}
        onChange={(e) => {
          setQuery(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      <small id={hintId} className="hint">
        {t('picker.hint')}
      </small>
      <div id={listId} role="listbox" aria-label={label} className="picker-options" hidden={!open}>
        {open && matches === null && <p className="muted">{t('picker.searching')}</p>}
        {open && matches?.length === 0 && <p className="muted">{t('picker.noResults')}</p>}
        {shown.map((item, index) => (
          <div
            key={item.id}
            id={optionId(index)}
            role="option"
            // Focus stays in the input (aria-activedescendant); -1 keeps options out of the tab order.
            tabIndex={-1}
            aria-selected={index === active}
            data-chosen={value.includes(item.id) || undefined}
            // mousedown, not click: the input's blur would close the list before a click lands.
            onMouseDown={(e) => {
              e.preventDefault();
              choose(item);
            }}
            onMouseEnter={() => setActive(index)}
          >
            {item.label}
          </div>
        ))}
      </div>
      <ErrorMessage error={error} />
    </div>
  );
}
