import { css } from 'lit';

/**
 * The form controls the login and the contribute form share: labelled fields, a visible focus ring (both
 * are used from phones and keyboards), and one primary button. Each form only adds its own sizes.
 */
export const formStyles = css`
  label {
    display: grid;
    gap: 0.4em;
    font-weight: 600;
  }
  input,
  textarea {
    box-sizing: border-box;
    width: 100%;
    font: inherit;
    font-weight: 400;
    padding: 0.65em 0.8em;
    border-radius: 0.55em;
    border: 1px solid var(--toile-border, #323b50);
    background: var(--toile-surface, #161b26);
    color: inherit;
  }
  input:focus-visible,
  textarea:focus-visible,
  button:focus-visible {
    outline: 3px solid var(--toile-accent, #ffb020);
    outline-offset: 2px;
  }
  button {
    font: inherit;
    font-weight: 700;
    padding: 0.7em;
    border: 0;
    border-radius: 0.55em;
    background: var(--toile-accent, #ffb020);
    color: var(--toile-accent-text, #15110a);
    cursor: pointer;
  }
  button[disabled] {
    opacity: 0.6;
    cursor: progress;
  }
  .error {
    margin: 0;
    padding: 0.7em 0.9em;
    border-radius: 0.55em;
    background: var(--toile-error-bg, #4d1e1e);
  }
`;
