// Injection tokens for the process-wide objects the composition root creates
// before Nest starts (configuration, database, event backbone, logger).
export const GANTRY_CONFIG = Symbol('GANTRY_CONFIG');
export const DATABASE = Symbol('DATABASE');
export const EVENT_BACKBONE = Symbol('EVENT_BACKBONE');
export const LOGGER = Symbol('LOGGER');
export const DELIVERY = Symbol('DELIVERY');
