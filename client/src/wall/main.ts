import { slugFromPath } from '../shared/page-slug.js';
import './toile-wall.js';

// The element is created with its slug already set, so that it connects once, to the right wall.
const wall = document.createElement('toile-wall');
wall.slug = slugFromPath(location.pathname);
document.body.append(wall);
