import { AppShell, Burger, Group, NavLink, ThemeIcon, Title } from '@mantine/core';
import {
  IconArrowsExchange,
  IconChartLine,
  IconHistory,
  IconLayoutDashboard,
  IconPuzzle,
  IconRadar,
  type Icon,
} from '@tabler/icons-react';
import { NavLink as RouterNavLink, Outlet, useMatch } from 'react-router';

import { AccountChannel } from '@/app/layout/AccountChannel';
import { useNavigationStore } from '@/app/layout/navigation-store';
import { ColorSchemeToggle } from '@/components/ui/ColorSchemeToggle';
import { AccountMenu } from '@/features/auth/components/AccountMenu';
import { SignalAlerts } from '@/features/signals/components/SignalAlerts';

const APP_NAME = 'Binance Signal Scanner';

const NAV_ITEMS: readonly { to: string; label: string; icon: Icon }[] = [
  { to: '/', label: 'Dashboard', icon: IconLayoutDashboard },
  { to: '/trading', label: 'Trading', icon: IconArrowsExchange },
  { to: '/strategies', label: 'Strategies', icon: IconPuzzle },
  { to: '/backtests', label: 'Backtests', icon: IconHistory },
  { to: '/performance', label: 'Performance', icon: IconChartLine },
];

function NavItem({ to, label, icon: ItemIcon }: (typeof NAV_ITEMS)[number]) {
  const active = useMatch({ path: to, end: to === '/' }) !== null;
  const closeNavbar = useNavigationStore((state) => state.closeNavbar);
  return (
    <NavLink
      component={RouterNavLink}
      to={to}
      label={label}
      leftSection={<ItemIcon size={18} stroke={1.6} />}
      active={active}
      onClick={closeNavbar}
    />
  );
}

export function AppLayout() {
  const navbarOpened = useNavigationStore((state) => state.navbarOpened);
  const toggleNavbar = useNavigationStore((state) => state.toggleNavbar);

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !navbarOpened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={navbarOpened}
              onClick={toggleNavbar}
              hiddenFrom="sm"
              size="sm"
              aria-label={navbarOpened ? 'Close navigation' : 'Open navigation'}
            />
            <ThemeIcon size="lg" variant="light" aria-hidden>
              <IconRadar size={20} />
            </ThemeIcon>
            <Title order={1} fz={{ base: 'lg', sm: 'xl' }} lineClamp={1}>
              {APP_NAME}
            </Title>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <AccountMenu />
            <ColorSchemeToggle />
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        {NAV_ITEMS.map((item) => (
          <NavItem key={item.to} {...item} />
        ))}
      </AppShell.Navbar>

      <AppShell.Main>
        <Outlet />
        <SignalAlerts />
        <AccountChannel />
      </AppShell.Main>
    </AppShell>
  );
}
