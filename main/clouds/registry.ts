import type { CloudId } from '../../shared/model';
import type { CloudProvider } from './provider';
import { tencent, tencentIntl } from './tencent';
import { aliyun } from './aliyun';
import { huawei } from './huawei';
import { volcengine } from './volcengine';

// Every cloud, by id. A new cloud is a folder exporting its CloudProvider plus one line here.

export const providers: Record<CloudId, CloudProvider> = {
  tencent,
  'tencent-intl': tencentIntl,
  aliyun,
  huawei,
  volcengine,
};

export function getProvider(id: CloudId): CloudProvider {
  return providers[id];
}
