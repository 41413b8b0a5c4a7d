import { css } from 'lit';

/**
 * What the console's admin panels (settings, senders, sources, audit, accounts) share on top of `formStyles`: a
 * surface per panel, headings, hints, a polite status line, selects and tables that read on the dark
 * theme. Each panel adds only its own layout.
 */
export const panelStyles = css`
  :host {
    display: block;
    margin-bottom: 1.5em;
    padding: 1em 1.2em;
    border-radius: var(--toile-radius, 0.75rem);
    background: var(--toile-surface, #161b26);
  }
  h2,
  h3 {
    margin: 0 0 0.6em;
  }
  h2 {
    font-size: 1.2em;
  }
  h3 {
    font-size: 1.05em;
  }
  * + h3 {
    margin-top: 1.4em;
  }
  caption {
    caption-side: bottom;
    padding-top: 0.5em;
    text-align: left;
  }
  p {
    margin: 0;
  }
  .muted,
  .announcement,
  .hint {
    color: var(--toile-muted, #aab2c5);
  }
  .hint {
    font-size: 0.9em;
    font-weight: 400;
  }
  /* Always rendered, even empty: a live region that appears with its text is not reliably announced. */
  .announcement {
    margin-bottom: 0.8em;
  }
  .field {
    display: grid;
    gap: 0.4em;
  }
  select {
    font: inherit;
    font-weight: 400;
    padding: 0.6em 0.7em;
    border-radius: 0.55em;
    border: 1px solid var(--toile-border, #323b50);
    background: var(--toile-surface-raised, #202737);
    color: inherit;
  }
  select:focus-visible,
  a:focus-visible {
    outline: 3px solid var(--toile-accent, #ffb020);
    outline-offset: 2px;
  }
  a {
    color: var(--toile-accent, #ffb020);
  }
  table {
    width: 100%;
    border-collapse: collapse;
  }
  th,
  td {
    padding: 0.45em 0.6em;
    text-align: left;
    vertical-align: top;
    border-bottom: 1px solid var(--toile-border, #323b50);
    overflow-wrap: anywhere;
  }
  th {
    color: var(--toile-muted, #aab2c5);
    font-weight: 600;
  }
  td button,
  .secondary {
    font-weight: 400;
    padding: 0.3em 0.8em;
    border: 1px solid var(--toile-border, #323b50);
    background: var(--toile-surface-raised, #202737);
    color: var(--toile-text, #f4f6fb);
  }
  button.danger {
    background: var(--toile-danger, #d2463f);
    border-color: var(--toile-danger, #d2463f);
    color: #fff;
  }
  .row-form {
    display: flex;
    flex-wrap: wrap;
    align-items: end;
    gap: 0.8em;
    margin-top: 1em;
  }
  .row-form label {
    flex: 1 1 12em;
  }
  .row-form button {
    padding: 0.6em 1.2em;
  }
`;

/** A settings form in groups: the wall's settings and its look share it. */
export const settingsFormStyles = css`
  form {
    display: grid;
    gap: 1.2em;
    max-width: 40em;
  }
  fieldset {
    display: grid;
    gap: 0.9em;
    margin: 0;
    padding: 0.8em 1em 1em;
    border: 1px solid var(--toile-border, #323b50);
    border-radius: 0.55em;
  }
  legend {
    padding: 0 0.4em;
    font-weight: 700;
  }
  .check {
    display: flex;
    align-items: center;
    gap: 0.6em;
  }
  .check input {
    width: auto;
  }
  .pair {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(13em, 1fr));
    gap: 0.9em;
  }
`;
