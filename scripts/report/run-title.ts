/**
 * How a run is named for people, on the training report and in the
 * playground alike: which network it is and when it ran (the run folder's
 * name, such as 20261204-184656-sheet, is shown too, but only below, in
 * small text; whose layers trained it is scripts/trees.ts's whoseNetwork).
 * English and Japanese; no Node modules, so that the playground's page can
 * bundle it.
 */
export type Lang = 'en' | 'ja';

/** The last part of a path, with either kind of slash ("../my-layers/" -> "my-layers"). */
export function folderName(tree: string): string {
  const parts = tree.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  return parts[parts.length - 1] ?? tree;
}

/** "Sheet network" or "LeNet-5"; a network of unknown name by its number of layers. */
export function networkName(model: string | null | undefined, layers: number, lang: Lang = 'en'): string {
  const en = lang === 'en';
  if (model === 'sheet') return en ? 'Sheet network' : '課題のネットワーク';
  if (model === 'lenet') return 'LeNet-5';
  return en ? `Network of ${layers} layers` : `${layers}層のネットワーク`;
}

/**
 * The date and time of a run (an ISO time), in the given time zone (default:
 * this machine's, the one the run folder's name was written in), e.g.
 * "4 December 2026, 18:46" or "2026年12月4日 18:46".
 */
export function runDate(iso: string, lang: Lang = 'en', timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const zone = timeZone === undefined ? {} : { timeZone };
  const day = date.toLocaleDateString(lang === 'en' ? 'en-GB' : 'ja-JP', { day: 'numeric', month: 'long', year: 'numeric', ...zone });
  const time = date.toLocaleTimeString(lang === 'en' ? 'en-GB' : 'ja-JP', { hour: '2-digit', minute: '2-digit', hour12: false, ...zone });
  return lang === 'en' ? `${day}, ${time}` : `${day} ${time}`;
}

/** The human title: "Sheet network · 4 December 2026, 18:46". */
export function runTitle(model: string | null | undefined, layers: number, iso: string | null, lang: Lang = 'en'): string {
  const when = iso === null ? '' : runDate(iso, lang);
  return when === '' ? networkName(model, layers, lang) : `${networkName(model, layers, lang)} · ${when}`;
}
