import './toile-console.js';

document.body.append(document.createElement('toile-console'));
