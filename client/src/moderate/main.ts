import '../shared/fonts.js';
import { lang } from './strings.js';
import './toile-console.js';

// The page's language is the console's, so that screen readers pronounce it right.
document.documentElement.lang = lang;
document.body.append(document.createElement('toile-console'));
