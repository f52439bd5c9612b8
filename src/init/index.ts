/** `release-ledger init`: the starter files as pure templates, and the all-or-nothing writer. */
export { CONFIG_FILE, INVENTORY_FILE, WORKFLOW_FILE, exampleInventory, initFiles, schemaReference, starterConfig, workflow } from './templates.ts';
export type { InitFile, InitMode, InitOptions } from './templates.ts';
export { writeInitFiles } from './write.ts';
export type { InitWriteOptions, InitWriteResult } from './write.ts';
