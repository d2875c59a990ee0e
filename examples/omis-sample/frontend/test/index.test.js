const { test } = require('node:test');
const assert = require('node:assert');
const { readFileSync } = require('node:fs');

test('the page names the app', () => {
  assert.match(readFileSync(`${__dirname}/../public/index.html`, 'utf8'), /OMIS/);
});
