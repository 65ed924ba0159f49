import { Button, Menu, Text } from '@mantine/core';
import {
  IconChevronDown,
  IconKey,
  IconLogout,
  IconUserCircle,
  IconWallet,
} from '@tabler/icons-react';
import { Link, useLocation } from 'react-router';

import { useMe } from '@/features/auth/api/me';
import { useSignOut } from '@/features/auth/api/sign-in';
import { paths, withNext } from '@/config/paths';
import { useSession } from '@/lib/session';

/** The header's account corner: "Sign in", or the signed-in user's email and menu. */
export function AccountMenu() {
  const { signedIn } = useSession();
  const location = useLocation();
  const me = useMe();
  const signOut = useSignOut();

  if (!signedIn) {
    const onAuthPage = location.pathname === paths.signIn || location.pathname === paths.signUp;
    if (onAuthPage) return null;
    return (
      <Button
        component={Link}
        to={withNext(paths.signIn, `${location.pathname}${location.search}`)}
        variant="default"
      >
        Sign in
      </Button>
    );
  }

  return (
    <Menu position="bottom-end" width={220} withinPortal>
      <Menu.Target>
        <Button
          variant="subtle"
          color="gray"
          leftSection={<IconUserCircle size={18} />}
          rightSection={<IconChevronDown size={14} />}
          px="xs"
        >
          <Text size="sm" truncate maw={{ base: 110, sm: 240 }}>
            {me.data?.email ?? 'Account'}
          </Text>
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item
          component={Link}
          to={paths.exchangeAccounts}
          leftSection={<IconWallet size={16} />}
        >
          Exchange accounts
        </Menu.Item>
        <Menu.Item component={Link} to={paths.account} leftSection={<IconKey size={16} />}>
          Account
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item
          color="red"
          leftSection={<IconLogout size={16} />}
          onClick={() => {
            // On a private page, RequireAuth then goes to the dashboard.
            signOut.mutate();
          }}
        >
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
