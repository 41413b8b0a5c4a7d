/**
 * `<toile-wall>` for an organiser's own website:
 *
 *     <script type="module" src="https://toile.example.org/embed.js"></script>
 *     <toile-wall server="https://toile.example.org" slug="capcomnet" layout="ticker"></toile-wall>
 *
 * The element is the wall's own (wall/toile-wall.ts) in `embed` mode: no header, no "how to take part"
 * panel, a transparent background that lets the host page show through. `server` is the Toile origin for
 * the API and the socket; when it is left out, the origin this script came from is used, which is the same
 * server in the usual case. `layout` overrides the wall's layout, as `?layout=` does on the wall page.
 *
 * Fonts: a page of another site cannot be given @font-face rules from a shadow root, and the host's CSS is
 * not ours to edit, so the wall's typefaces are added to the host document with the FontFace API, their
 * files fetched from the Toile server (which must answer them with CORS headers, as fonts require). Where
 * that fails (an old browser, a host CSP without our origin in font-src), the wall falls back to the
 * system's fonts, which its font stacks list next.
 */
import interLatinExt from '@fontsource-variable/inter/files/inter-latin-ext-wght-normal.woff2?url';
import interLatin from '@fontsource-variable/inter/files/inter-latin-wght-normal.woff2?url';
import atkinsonLatinExt400 from '@fontsource/atkinson-hyperlegible/files/atkinson-hyperlegible-latin-ext-400-normal.woff2?url';
import atkinsonLatinExt700 from '@fontsource/atkinson-hyperlegible/files/atkinson-hyperlegible-latin-ext-700-normal.woff2?url';
import atkinsonLatin400 from '@fontsource/atkinson-hyperlegible/files/atkinson-hyperlegible-latin-400-normal.woff2?url';
import atkinsonLatin700 from '@fontsource/atkinson-hyperlegible/files/atkinson-hyperlegible-latin-700-normal.woff2?url';
import { ToileWall } from '../wall/toile-wall.js';

/** fontsource's ranges for its "latin" and "latin-ext" subsets. */
const LATIN =
  'U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,U+2000-206F,U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD';
const LATIN_EXT =
  'U+0100-02BA,U+02BD-02C5,U+02C7-02CC,U+02CE-02D7,U+02DD-02FF,U+0304,U+0308,U+0329,U+1D00-1DBF,U+1E00-1E9F,U+1EF2-1EFF,U+2020,U+20A0-20AB,U+20AD-20C0,U+2113,U+2C60-2C7F,U+A720-A7FF';

const FACES: readonly { family: string; file: string; weight: string; range: string }[] = [
  { family: 'Inter Variable', file: interLatin, weight: '100 900', range: LATIN },
  { family: 'Inter Variable', file: interLatinExt, weight: '100 900', range: LATIN_EXT },
  { family: 'Atkinson Hyperlegible', file: atkinsonLatin400, weight: '400', range: LATIN },
  { family: 'Atkinson Hyperlegible', file: atkinsonLatinExt400, weight: '400', range: LATIN_EXT },
  { family: 'Atkinson Hyperlegible', file: atkinsonLatin700, weight: '700', range: LATIN },
  { family: 'Atkinson Hyperlegible', file: atkinsonLatinExt700, weight: '700', range: LATIN_EXT },
];

/** The Toile server this script was loaded from. */
const scriptOrigin = new URL(import.meta.url).origin;

function addFonts(): void {
  if (typeof FontFace !== 'function' || !('fonts' in document)) return;
  for (const face of FACES) {
    try {
      // The files are asset paths of this build ("/assets/…"): resolved against this script, they point at
      // the Toile server rather than at the host page. A face is only downloaded when text needs it.
      const url = new URL(face.file, import.meta.url).href;
      document.fonts.add(
        new FontFace(face.family, `url("${url}") format("woff2")`, { weight: face.weight, unicodeRange: face.range, display: 'swap' }),
      );
    } catch {
      // A descriptor this browser does not take: the system fonts it is.
    }
  }
}

ToileWall.defaultMode = 'embed';
ToileWall.defaultServer = scriptOrigin;
addFonts();
