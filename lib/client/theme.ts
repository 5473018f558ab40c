/**
 * Light and dark themes. "system" follows prefers-color-scheme through CSS
 * alone; an explicit choice is stored here and set as `data-theme` on <html>
 * by a tiny script in the document head, before the first paint, so a chosen
 * theme never flashes the other one.
 */
export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

export const THEME_KEY = 'convene:theme';

const isTheme = (v: unknown): v is Theme => (THEMES as readonly unknown[]).includes(v);

export function loadTheme(): Theme {
  try {
    const stored = localStorage.getItem(THEME_KEY);
    return isTheme(stored) ? stored : 'system';
  } catch {
    return 'system';
  }
}

/** Stores the choice and applies it at once. */
export function saveTheme(theme: Theme): void {
  try {
    if (theme === 'system') localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, theme);
  } catch {
    // Storage can be off (private modes): the choice still applies to this page.
  }
  applyTheme(theme);
}

export function applyTheme(theme: Theme): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

/** The head script: the same as applyTheme(loadTheme()), as source text (it runs before any bundle). */
export const THEME_BOOT_SCRIPT = `try{var t=localStorage.getItem(${JSON.stringify(THEME_KEY)});if(t==='light'||t==='dark')document.documentElement.dataset.theme=t}catch(e){}`;
