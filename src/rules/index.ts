/** The rules module's public API: load packs and inventories, validate them, compile and match. */
export { loadRulePacks, readRuleSources, documentKind } from './load.js';
export { loadInventory, readInventory } from './inventory.js';
export { validate } from './validate.js';
export type { ValidationReport } from './validate.js';
export { compileRules } from './compile.js';
export { matchConnection } from './match.js';
export type { ConnectionSide, ConnectionToMatch } from './match.js';
export { parseParamArgs, resolveParams } from './params.js';
export type { ResolvedParam, ParamSource } from './params.js';
export { parseCidr } from './cidr.js';
export { protocolNumber } from './ports.js';
export { shippedRulesDir } from './package-root.js';
export type * from './types.js';
export { COMPILED_ROW_COLUMNS, IDENTITY_COLUMNS, toIdentityRow, toTableRow } from './table.js';
export type { TableValue } from './table.js';
