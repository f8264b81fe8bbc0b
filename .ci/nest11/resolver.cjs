// Jest resolver for the Nest 11 run: a package named in ./package.json resolves from this folder,
// everything else from wherever the request comes from (the repository root install).
const names = new Set(Object.keys(require('./package.json').dependencies));
const packageName = (request) =>
  request
    .split('/')
    .slice(0, request.startsWith('@') ? 2 : 1)
    .join('/');

module.exports = (request, options) =>
  options.defaultResolver(request, names.has(packageName(request)) ? { ...options, basedir: __dirname } : options);
