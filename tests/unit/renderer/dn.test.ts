import { describe, expect, it } from 'vitest';
import { dnForDisplay } from '../../../renderer/src/lib/dn';
import { displayName } from '../../../renderer/src/routes/library/entry-text';

describe('dnForDisplay', () => {
  it('shows RFC 4514 escaped values as they are', () => {
    expect(dnForDisplay('CN=www.example.com, O=Example Co.\\, Ltd., C=CN')).toBe('CN=www.example.com, O=Example Co., Ltd., C=CN');
    expect(dnForDisplay('CN=a\\+b\\=c\\;d\\<e\\>f\\"g\\\\h')).toBe('CN=a+b=c;d<e>f"g\\h');
    expect(dnForDisplay('CN=\\#hash, O=trailing\\ ')).toBe('CN=#hash, O=trailing ');
  });

  it('leaves an unescaped name alone, multi-valued RDNs included', () => {
    expect(dnForDisplay('CN=plain + OU=unit, C=US')).toBe('CN=plain + OU=unit, C=US');
  });

  it('keeps control characters escaped, so they stay visible', () => {
    expect(dnForDisplay('CN=line\\0abreak')).toBe('CN=line\\0abreak');
  });
});

describe('displayName', () => {
  it('unescapes a name that is the subject DN, and leaves a name the user wrote alone', () => {
    const subject = 'C=JP, O=SECOM Trust Systems CO.\\,LTD., OU=Security Communication RootCA2';
    expect(displayName({ name: subject, subject })).toBe('C=JP, O=SECOM Trust Systems CO.,LTD., OU=Security Communication RootCA2');
    expect(displayName({ name: 'Shop\\front', subject })).toBe('Shop\\front');
  });
});
