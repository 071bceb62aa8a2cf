// The typed table map for Kysely. It starts empty: each module adds its own tables by declaration
// merging in its repository (`declare module '…/kernel/db/tables.js' { interface Tables { … } }`),
// so the kernel never learns a module's schema and modules never see each other's tables.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Tables {}
