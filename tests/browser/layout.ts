/**
 * Layout checks run in the page, as expressions (the tests compile without the
 * DOM's types, and the playground's Content-Security-Policy allows no string
 * evaluation in the page's own world, but Playwright's evaluate runs outside it).
 */
import type { Page } from 'playwright-core';

/**
 * Every element that reaches past the right edge of the page, unless an
 * ancestor clips or scrolls it (overflow-x other than visible): what a reader
 * would find cut off on the right. Each is described by tag, class and width.
 */
export async function cutOffOnTheRight(page: Page): Promise<string[]> {
  return JSON.parse(
    (await page.evaluate(`(() => {
      const edge = document.documentElement.clientWidth + 0.5;
      const clipped = (el) => {
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) if (getComputedStyle(a).overflowX !== 'visible') return true;
        return false;
      };
      const found = [...document.body.querySelectorAll('*')].filter((el) => el.getBoundingClientRect().right > edge && !clipped(el));
      return JSON.stringify(found.map((el) => el.tagName.toLowerCase() + '.' + [...el.classList].join('.') + ' ' + Math.round(el.getBoundingClientRect().right) + 'px'));
    })()`)) as string,
  ) as string[];
}

/** For each element a selector finds: its box, its one-line height, whether its text is cut by an ellipsis, its title attribute and its text. */
export async function boxes(
  page: Page,
  selector: string,
): Promise<{ x: number; width: number; height: number; lineHeight: number; ellipsis: boolean; truncated: boolean; title: string | null; text: string }[]> {
  return JSON.parse(
    (await page.evaluate(`JSON.stringify([...document.querySelectorAll(${JSON.stringify(selector)})].map((el) => {
      const box = el.getBoundingClientRect(), style = getComputedStyle(el);
      const lineHeight = style.lineHeight === 'normal' ? 1.2 * parseFloat(style.fontSize) : parseFloat(style.lineHeight);
      return { x: box.x, width: box.width, height: box.height, lineHeight, ellipsis: style.textOverflow === 'ellipsis',
        truncated: el.scrollWidth > el.clientWidth, title: el.getAttribute('title'), text: el.textContent };
    }))`)) as string,
  );
}

/** For each table of the page: the overflow-x of its container (its parent element), and whether it fits that container. */
export async function tableContainers(page: Page): Promise<{ overflowX: string; fits: boolean; caption: string }[]> {
  return JSON.parse(
    (await page.evaluate(`JSON.stringify([...document.querySelectorAll('table')].map((t) => ({
      overflowX: getComputedStyle(t.parentElement).overflowX,
      fits: t.getBoundingClientRect().width <= t.parentElement.clientWidth + 0.5,
      caption: (t.querySelector('caption, th') || t).textContent,
    })))`)) as string,
  );
}
