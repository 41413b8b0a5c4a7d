/*
 * The typefaces the pages use, bundled by Vite from fontsource: the woff2 files land next to the page's own
 * assets, because a venue's network may have no Internet and the CSP allows fonts from 'self' only.
 * Inter (variable, every subset it has) is the default; Atkinson Hyperlegible, drawn for low-vision readers,
 * is a wall's alternative, in its Latin and Latin-extended subsets, regular and bold. Each face carries a
 * unicode-range, so a browser downloads a file only when a glyph on the page needs it.
 */
import '@fontsource-variable/inter';
// These two hold the Latin and Latin-extended faces with their unicode-range (the single-subset files lack it).
import '@fontsource/atkinson-hyperlegible/400.css';
import '@fontsource/atkinson-hyperlegible/700.css';
