/** The library's version, written into `version` of the sessions it creates. */
export const VERSION = '0.1.0';
