/**
 * A service's name as build-matrix entries and release records carry it: lower-case letters
 * and digits, with . _ - after the first, at most 63 characters. One rule for the actions that
 * read such names from another step (acr-push's batch, deploy-report's services).
 */
export const isServiceName = (name: string): boolean => /^[a-z0-9][a-z0-9._-]{0,62}$/.test(name);
