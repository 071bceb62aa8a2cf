// The difference between two version contents, as JSON-pointer operations an operator can read
// before publishing or retiring ("what exactly changes for new customers?").

export interface Change {
  op: 'add' | 'remove' | 'replace';
  path: string;
  before?: unknown;
  after?: unknown;
}

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Changes that turn `before` into `after`, depth first, in a stable order. */
export function diff(before: unknown, after: unknown, path = ''): Change[] {
  if (Array.isArray(before) && Array.isArray(after)) {
    const changes: Change[] = [];
    const common = Math.min(before.length, after.length);
    for (let index = 0; index < common; index += 1) changes.push(...diff(before[index], after[index], `${path}/${index}`));
    for (let index = common; index < after.length; index += 1) changes.push({ op: 'add', path: `${path}/${index}`, after: after[index] });
    for (let index = before.length - 1; index >= common; index -= 1) changes.push({ op: 'remove', path: `${path}/${index}`, before: before[index] });
    return changes;
  }
  if (isObject(before) && isObject(after)) {
    const changes: Change[] = [];
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) {
      const child = `${path}/${escape(key)}`;
      if (!(key in after)) changes.push({ op: 'remove', path: child, before: before[key] });
      else if (!(key in before)) changes.push({ op: 'add', path: child, after: after[key] });
      else changes.push(...diff(before[key], after[key], child));
    }
    return changes;
  }
  return Object.is(before, after) ? [] : [{ op: 'replace', path: path || '/', before, after }];
}
