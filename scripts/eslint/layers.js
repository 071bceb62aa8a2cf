// The layers, as a lint rule (docs/architecture.md, "Layers"): the kernel knows no module and no
// gateway; a module reaches another module only through that module's index (its public API) and
// never reaches the gateway or the composition root; the gateway knows modules only through the
// ports the kernel defines. Specifiers are resolved against the importing file, so `../x/index.js`
// from inside a sub-folder is judged by where it lands, not by how it is spelled.
import { dirname, relative, resolve, sep } from 'node:path';

const SRC = resolve(dirname(new URL(import.meta.url).pathname), '../../src');

/** Where a file sits: ['kernel'], ['gateway'], ['modules', name, ...rest], or ['root'] for src/*.ts; null outside src. */
function place(file) {
  const rel = relative(SRC, file);
  if (rel.startsWith('..')) return null;
  const parts = rel.split(sep);
  if (parts.length === 1) return ['root'];
  return parts;
}

function judge(fromFile, target) {
  const from = place(fromFile);
  const to = place(target);
  if (!from || !to) return undefined;
  const [fromLayer] = from;
  const [toLayer] = to;
  if (fromLayer === 'kernel') {
    if (toLayer === 'modules' || toLayer === 'gateway' || toLayer === 'root') return 'The kernel knows no module, gateway or composition root: define a port in the kernel and let the module implement it.';
  }
  if (fromLayer === 'modules') {
    if (toLayer === 'gateway' || toLayer === 'root') return 'A module never imports the gateway or the composition root: take what it needs from kernel/api (routes, schemas) and kernel/authentication.';
    if (toLayer === 'modules' && to[1] !== from[1] && !(to.length === 3 && /^index\.(js|ts)$/.test(to[2]))) {
      return `Import the ${to[1]} module only through its public API, ../${to[1]}/index.js.`;
    }
  }
  if (fromLayer === 'gateway' && toLayer === 'modules') return 'The gateway knows modules only through the ports in the kernel (kernel/authentication.ts); the composition root wires them.';
  return undefined;
}

export const layers = {
  meta: { type: 'problem', schema: [], docs: { description: 'Enforce the kernel / modules / gateway layers' } },
  create(context) {
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const message = judge(context.filename, resolve(dirname(context.filename), source));
      if (message) context.report({ node, message });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default { rules: { layers } };
