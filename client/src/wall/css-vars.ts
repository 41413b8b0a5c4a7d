import { nothing } from 'lit';
import { Directive, directive, PartType, type ElementPart, type PartInfo } from 'lit/directive.js';

/**
 * Sets custom properties on an element through its CSSOM (`style.setProperty`), for the colours of hashtag
 * chips and initial badges. The wall's CSP (`style-src 'self'`) refuses a `style="…"` attribute, which is
 * what `styleMap` writes on first render; the CSSOM is allowed. Values are set as they are, so callers pass
 * only colours they validated.
 *
 * Usage: `<span ${cssVars({ '--chip': colour })}>`.
 */
class CssVarsDirective extends Directive {
  private previous = new Set<string>();

  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new Error('cssVars() goes on an element, not in an attribute or text');
  }

  render(_vars: Readonly<Record<`--${string}`, string>>) {
    return nothing;
  }

  override update(part: ElementPart, [vars]: [Readonly<Record<`--${string}`, string>>]) {
    const style = (part.element as HTMLElement).style;
    for (const name of this.previous) if (!(name in vars)) style.removeProperty(name);
    for (const [name, value] of Object.entries(vars)) style.setProperty(name, value);
    this.previous = new Set(Object.keys(vars));
    return nothing;
  }
}

export const cssVars = directive(CssVarsDirective);
