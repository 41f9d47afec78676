// Lets child processes run TypeScript fixtures with the same swc settings and path alias as Jest.
const { join } = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');
const fs = require('node:fs');

const root = join(__dirname, '..', '..', '..', '..');
const swcrc = JSON.parse(fs.readFileSync(join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;
const aliasRoot = join(root, 'libs', 'messaging', 'src');

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === '@app/messaging' || request.startsWith('@app/messaging/')) {
    request = join(aliasRoot, request.slice('@app/messaging'.length));
  }
  return originalResolve.call(this, request, ...rest);
};

require.extensions['.ts'] = function (module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, { ...swcrc, filename, sourceMaps: 'inline', swcrc: false });
  module._compile(code, filename);
};
