/** The page's words in English and Japanese; elements with data-i18n="key" take them. */
import type { Lang } from '../../scripts/report/run-title';

export type { Lang };

const WORDS = {
  title: ['Draw a digit, watch the network', '数字を描いて、ネットワークの中を見る'],
  lead: [
    'Draw a digit from 0 to 9, or pick one from the MNIST test set. Every layer below runs in this page, with the same code the kata trained.',
    '0〜9の数字を描くか、MNISTのテスト画像から選んでください。下の各層は、このページの中で、学習に使ったのと同じコードで動いています。',
  ],
  input: ['Input', '入力'],
  canvasLabel: [
    'Drawing area: draw with the mouse, a finger or a pen; with the keyboard, arrow keys move the pen and draw.',
    '描画エリア：マウス、指、ペンで描けます。キーボードでは矢印キーでペンを動かして描きます。',
  ],
  clear: ['Clear', '消去'],
  processed: ['What the network sees (28 × 28)', 'ネットワークへの入力 (28 × 28)'],
  testDigits: ['MNIST test digits', 'MNISTテスト画像'],
  random: ['Random', 'ランダム'],
  mistake: ['A misclassified one', '誤分類された画像'],
  ofClass: ['Of class', 'クラスを指定'],
  show: ['Show', '表示'],
  index: ['Test image #', 'テスト画像の番号'],
  prediction: ['Prediction', '予測'],
  probabilities: ['Class probabilities', 'クラスごとの確率'],
  layers: ['Inside the network', 'ネットワークの内部'],
  layersLead: [
    'Each layer’s output for the current input, one small image per channel (dark: large values; blue: negative). Convolutions also show their learned filters.',
    '現在の入力に対する各層の出力です。チャンネルごとに1枚の小さな画像で示します（濃い色：大きな値、青：負の値）。畳み込み層は学習したフィルタも示します。',
  ],
  filters: ['Learned filters', '学習したフィルタ'],
  output: ['output', '出力'],
  parameters: ['parameters', 'パラメータ数'],
  drawHint: ['Draw a digit to see the prediction.', '数字を描くと予測が表示されます。'],
  drawADigit: ['Draw a digit', '数字を描いてください'],
  trueLabel: ['true label', '正解'],
  correct: ['correct', '正解'],
  wrongLabel: ['wrong: the true label is', '誤り：正解は'],
  classes: ['class', 'クラス'],
  runFolder: ['run folder', '実行フォルダ'],
  predicted: ['Predicted', '予測'],
  label: ['label', '正解'],
  language: ['日本語', 'English'],
  loading: ['Loading the model…', 'モデルを読み込んでいます…'],
  kernel: ['kernel', 'カーネル'],
  millis: ['ms per digit', 'ms／枚'],
} satisfies Record<string, [string, string]>;

export type WordKey = keyof typeof WORDS;

let lang: Lang = 'en';

export const currentLang = (): Lang => lang;

export function t(key: WordKey): string {
  return WORDS[key][lang === 'en' ? 0 : 1];
}

/** Switches the language and relabels every element that names a word. */
export function setLang(next: Lang): void {
  lang = next;
  document.documentElement.lang = next;
  for (const el of document.querySelectorAll<HTMLElement>('[data-i18n]')) el.textContent = t(el.dataset.i18n as WordKey);
  for (const el of document.querySelectorAll<HTMLElement>('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel as WordKey));
}
