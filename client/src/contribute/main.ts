import '../shared/fonts.js';
import { slugFromPath } from '../shared/page-slug.js';
import './toile-contribute-form.js';

// The element is created with its slug already set, so that it loads the right wall's name once.
const form = document.createElement('toile-contribute-form');
form.slug = slugFromPath(location.pathname);
document.body.append(form);
