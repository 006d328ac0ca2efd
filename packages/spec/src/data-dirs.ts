/**
 * Where an `{ idxDir }` dataset may lie. A worker reads whatever directory a spec names, so
 * without a bound any writer could make it read any directory of its filesystem. The operator
 * lists the directories datasets may come from in METAOPT_DATA_DIRS; the API refuses a spec
 * naming any other, and the worker refuses the job again.
 *
 * The check is on the path as written: `..` cannot climb out of a data directory, but a
 * symbolic link inside one is followed wherever it points, so the operator must not place
 * links there that lead outside.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { SpecError } from './errors.js';
import type { Dataset } from './types.js';

export const DATA_DIRS_SETTING = 'METAOPT_DATA_DIRS';

/** The setting's directories: comma-separated, each absolute; an empty setting lists none. */
export function parseDataDirs(setting: string): readonly string[] {
  const dirs = setting
    .split(',')
    .map((dir) => dir.trim())
    .filter((dir) => dir.length > 0);
  const notAbsolute = dirs.find((dir) => !isAbsolute(dir));
  if (notAbsolute !== undefined) {
    throw new Error(`${DATA_DIRS_SETTING} lists ${notAbsolute}, which is not an absolute path.`);
  }
  return Object.freeze(dirs.map((dir) => resolve(dir)));
}

/**
 * Throws DATASET_NOT_ALLOWED unless `dataset` is a named one or an idxDir inside one of
 * `dataDirs`. `dataDirs` absent allows any directory (see SpecLimits). A relative idxDir is
 * refused: the API and the worker would resolve it against different working directories.
 */
export function assertDatasetAllowed(
  dataset: Dataset,
  dataDirs: readonly string[] | undefined,
  path: string,
): void {
  if (typeof dataset === 'string' || dataDirs === undefined) return;
  const { idxDir } = dataset;
  if (dataDirs.length === 0) {
    throw notAllowed(
      `${path.slice(1)} is refused: this server reads no dataset directory until its operator ` +
        `lists them in ${DATA_DIRS_SETTING}. Use "mnist" or "fashion-mnist", or ask for the ` +
        'directory to be listed.',
      path,
    );
  }
  if (!isAbsolute(idxDir)) {
    throw notAllowed(
      `${path.slice(1)} is a relative path; name the directory absolutely, inside one of ` +
        `the directories listed in ${DATA_DIRS_SETTING}.`,
      path,
    );
  }
  if (!dataDirs.some((dir) => isInside(resolve(idxDir), dir))) {
    throw notAllowed(
      `${path.slice(1)} is outside every directory this server reads datasets from ` +
        `(its operator lists them in ${DATA_DIRS_SETTING}).`,
      path,
    );
  }
}

function isInside(target: string, dir: string): boolean {
  const fromDir = relative(dir, target);
  return fromDir !== '..' && !fromDir.startsWith(`..${sep}`) && !isAbsolute(fromDir);
}

function notAllowed(message: string, path: string): SpecError {
  return new SpecError('DATASET_NOT_ALLOWED', message, [
    { path, message: `must lie inside a directory listed in ${DATA_DIRS_SETTING}` },
  ]);
}
