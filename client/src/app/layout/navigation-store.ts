import { create } from 'zustand';

/**
 * Whether the navbar is open on narrow screens. Shared by the header's burger, which toggles it,
 * and the nav links, which close it after navigating.
 */
interface NavigationState {
  navbarOpened: boolean;
  toggleNavbar: () => void;
  closeNavbar: () => void;
}

export const useNavigationStore = create<NavigationState>()((set) => ({
  navbarOpened: false,
  toggleNavbar: () => {
    set((state) => ({ navbarOpened: !state.navbarOpened }));
  },
  closeNavbar: () => {
    set({ navbarOpened: false });
  },
}));
