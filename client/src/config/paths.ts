/** The app's URLs, in one place: routes are declared from these and links are built with them. */
export const paths = {
  dashboard: '/',
  strategies: '/strategies',
  performance: '/performance',
  signal: {
    pattern: '/signals/:id',
    build: (id: number) => `/signals/${id}`,
  },
} as const;
