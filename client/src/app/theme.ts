import { createTheme, localStorageColorSchemeManager } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'blue',
  defaultRadius: 'md',
});

/** Persists the light/dark choice in localStorage under this key. */
export const COLOR_SCHEME_STORAGE_KEY = 'signal-scanner:color-scheme';

export const colorSchemeManager = localStorageColorSchemeManager({
  key: COLOR_SCHEME_STORAGE_KEY,
});
