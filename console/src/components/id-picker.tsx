/** A form that puts an id (user, item) into the page's URL query, so the choice can be shared. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { setQuery } from '../router.tsx';

export function IdPicker(props: {
  label: string;
  /** The query key the id goes to (`user`, `item`). */
  queryKey: string;
  value: string;
  placeholder: string;
  submitLabel: string;
  /** Id of a <datalist> of suggestions. */
  list?: string;
  children?: ComponentChildren;
}) {
  const [draft, setDraft] = useState(props.value);
  return (
    <form
      class="picker"
      onSubmit={(event) => {
        event.preventDefault();
        setQuery({ [props.queryKey]: draft.trim() });
      }}
    >
      <label>
        {props.label}
        <input
          name={props.queryKey}
          list={props.list}
          value={draft}
          placeholder={props.placeholder}
          onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
        />
      </label>
      <button type="submit">{props.submitLabel}</button>
      {props.children}
    </form>
  );
}
