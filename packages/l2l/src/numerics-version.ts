/**
 * The version of the numbers this package computes. It is part of every run's content hash:
 * bump it whenever a change would alter any result (an update rule, an init, a draw order,
 * a kernel choice), so that old records are not mistaken for new ones.
 */
export const NUMERICS_VERSION = '2';
