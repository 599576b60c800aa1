import { describe, expect, it } from 'vitest';
import { VaultError } from '../../../shared/errors';
import { hostPort, parseTeamUrl, teamUrl } from '../../../main/core/team/db/connection-url';

function error(input: string): VaultError {
  try {
    parseTeamUrl(input);
  } catch (caught) {
    if (caught instanceof VaultError) return caught;
    throw caught;
  }
  throw new Error(`${input} was accepted`);
}

describe('team vault URL', () => {
  it('reads user, percent-encoded password, host, port, database, sslmode and CA file', () => {
    const { address, password } = parseTeamUrl('postgresql://ops%40corp:p%40ss%3Aw0rd@db.example.com:6432/cert%20vault?sslmode=verify-full&sslrootcert=/etc/ca.pem');
    expect(password).toBe('p@ss:w0rd');
    expect(address).toEqual({ host: 'db.example.com', port: 6432, database: 'cert vault', user: 'ops@corp', sslmode: 'verify-full', caFile: '/etc/ca.pem' });
  });

  it('defaults to port 5432 and verify-full; takes IPv6 hosts', () => {
    const { address } = parseTeamUrl('postgres://app@[::1]/certvault');
    expect(address).toMatchObject({ host: '::1', port: 5432, sslmode: 'verify-full' });
    expect(hostPort(address)).toBe('[::1]:5432');
  });

  it('the stored URL never carries the password and reads back to the same address', () => {
    const parsed = parseTeamUrl('postgres://app:secret@db:5433/certvault?sslmode=require');
    const stored = teamUrl(parsed.address);
    expect(stored).toBe('postgres://app@db:5433/certvault?sslmode=require');
    expect(parseTeamUrl(stored)).toEqual({ address: parsed.address, password: undefined });
  });

  it('names what is wrong, and never repeats the password', () => {
    expect(error('mysql://app:secret@db/certvault').params.reason).toMatch(/postgres:\/\//);
    expect(error('postgres://app:secret@db/certvault?sslmode=allow').message).not.toContain('secret');
    expect(error('postgres://db/certvault').params.reason).toMatch(/no user/);
    expect(error('postgres://app@db/certvault?sslmode=require&sslrootcert=ca.pem').params.reason).toMatch(/needs sslmode=verify-full/);
    expect(error('not a url').code).toBe('team.invalid_url');
  });
});
