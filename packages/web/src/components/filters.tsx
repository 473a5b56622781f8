// Filter inputs bound to URL query parameters: typing updates the URL (replace, debounced),
// so links carry the filters and back/forward step through them.

import { useEffect, useState } from 'preact/hooks';
import { setParams, useRoute } from '../state/route';

export function TextFilter({ name, label, placeholder, type = 'text' }: { name: string; label: string; placeholder?: string; type?: string }) {
  const route = useRoute();
  const current = route.params.get(name) ?? '';
  const [value, setValue] = useState(current);
  useEffect(() => setValue(current), [current]);
  return (
    <label class="filter">
      {label}
      <input
        name={name}
        type={type}
        value={value}
        placeholder={placeholder}
        onInput={(e) => setValue((e.target as HTMLInputElement).value)}
        onChange={(e) => setParams({ [name]: (e.target as HTMLInputElement).value.trim() || null })}
        onKeyDown={(e) => e.key === 'Enter' && setParams({ [name]: (e.target as HTMLInputElement).value.trim() || null })}
      />
    </label>
  );
}

export function SelectFilter({ name, label, options }: { name: string; label: string; options: readonly string[] }) {
  const route = useRoute();
  return (
    <label class="filter">
      {label}
      <select name={name} value={route.params.get(name) ?? ''} onChange={(e) => setParams({ [name]: (e.target as HTMLSelectElement).value || null })}>
        <option value="">any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

export function CheckFilter({ name, label }: { name: string; label: string }) {
  const route = useRoute();
  return (
    <label class="filter check">
      <input type="checkbox" name={name} checked={route.params.get(name) === '1'} onChange={(e) => setParams({ [name]: (e.target as HTMLInputElement).checked ? '1' : null })} />
      {label}
    </label>
  );
}
