import type { ErrorInfo } from '../../../shared/errors';
import { LOCAL_VAULT_NAME, type VaultsView } from '../../../shared/team';
import { api } from './api';

// Which vaults this computer knows and the one in use, shared by the title bar's switcher and the
// Team screen. Main owns the setting; this mirror only ever holds what main answered.

class Vaults {
  view = $state<VaultsView>({ current: LOCAL_VAULT_NAME, teams: [] });
  /** Counts the switches main made: the window keys its screens on it, so each reads the new vault. */
  revision = $state(0);

  constructor() {
    api.on('vault.changed', ({ current }) => {
      this.view = { ...this.view, current };
      this.revision += 1;
    });
  }

  get current(): string {
    return this.view.current;
  }

  get isLocal(): boolean {
    return this.view.current === LOCAL_VAULT_NAME;
  }

  async load(): Promise<ErrorInfo | null> {
    const result = await api.team.vaults();
    if (!result.ok) return result.error;
    this.view = result.value;
    return null;
  }

  async use(name: string): Promise<ErrorInfo | null> {
    const result = await api.team.use({ name });
    if (!result.ok) return result.error;
    this.view = result.value;
    return null;
  }
}

export const vaults = new Vaults();
