// Render Markdown files to HTML the way a permissive renderer would
// (raw HTML allowed, URLs linkified), so a test can check that no markup
// from the evidence gets through. Usage: node md-render.js FILE.md
'use strict';
const fs = require('fs');
const MarkdownIt = require('markdown-it');
const md = new MarkdownIt({ html: true, linkify: true });
process.stdout.write(md.render(fs.readFileSync(process.argv[2], 'utf8')));
