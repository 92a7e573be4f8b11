export { buildSchemas } from '../src/model/json-schema.js';
