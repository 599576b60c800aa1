import type { ErrorInfo } from '../../../shared/errors';
import { LOCAL_VAULT_NAME, type TeamVaultStatus, type VaultsView } from '../../../shared/team';
import { api } from './api';

// Which vaults this computer knows and the one in use, shared by the title bar's switcher and the
// Team screen. Main owns the setting; this mirror only ever holds what main answered. For a team
// vault in use it also mirrors its connection: online, or offline on its read-only local copy
// (`team.status` events follow every change).

class Vaults {
  view = $state<VaultsView>({ current: LOCAL_VAULT_NAME, teams: [] });
  /** Counts the switches main made: the window keys its screens on it, so each reads the new vault. */
  revision = $state(0);
  /** The team vault in use's connection; null for the local vault, or before main answered. */
  status = $state<TeamVaultStatus | null>(null);
  /** Why the team vault in use could not be opened (no copy to show while its server is out of reach). */
  statusError = $state<ErrorInfo | null>(null);

  constructor() {
    api.on('vault.changed', ({ current }) => {
      this.view = { ...this.view, current };
      this.revision += 1;
      void this.loadStatus();
    });
    api.on('team.status', ({ vault, status }) => {
      if (vault !== this.current) return;
      this.status = status;
      this.statusError = null;
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
    await this.loadStatus();
    return null;
  }

  async use(name: string): Promise<ErrorInfo | null> {
    const result = await api.team.use({ name });
    if (!result.ok) return result.error;
    this.view = result.value;
    await this.loadStatus();
    return null;
  }

  private async loadStatus(): Promise<void> {
    this.status = null;
    this.statusError = null;
    if (this.isLocal) return;
    const vault = this.current;
    const result = await api.team.status({ vault });
    // Switched again meanwhile: that vault's answer is the one to show.
    if (vault !== this.current) return;
    if (result.ok) this.status = result.value;
    else this.statusError = result.error;
  }
}

export const vaults = new Vaults();
