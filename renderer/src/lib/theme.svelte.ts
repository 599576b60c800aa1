import type { Theme } from '../../../shared/ipc';

// Light or dark: the OS decides unless Settings overrides it. The OS preference is tracked live,
// so switching the desktop to dark mode repaints the open window.

const darkQuery = window.matchMedia('(prefers-color-scheme: dark)');
let systemDark = $state(darkQuery.matches);
darkQuery.addEventListener('change', (event) => {
  systemDark = event.matches;
});

export function effectiveTheme(preference: Theme): 'light' | 'dark' {
  if (preference === 'system') return systemDark ? 'dark' : 'light';
  return preference;
}

export function applyTheme(theme: 'light' | 'dark'): void {
  document.documentElement.dataset.theme = theme;
}
