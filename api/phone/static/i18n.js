// Chinese by default, English on request. t('key', {n: 3}) fills {n}; pick(obj, 'name') takes
// obj.name or obj.name_en by language.
const LANG_KEY = 'patrol.lang';

const zh = {
  app_name: '巡检', login: '登录', login_title: '登录巡检', login_hint: '登录一次，断网也能完成整轮巡检。',
  username: '用户名', password: '密码', offline_login: '没有网络，无法登录。请连上网络后再试。',
  login_again: '登录已失效，请重新登录。待发送的记录会保留。', sync_failed: '资料同步失败，稍后会再试。',
  tab_today: '今日', tab_scan: '扫码', tab_report: '上报', tab_orders: '工单', outbox: '待发送',
  todays_tasks: '今日任务', due_now: '现在要做', nothing_due_now: '现在没有到时的任务。', later_today: '今天稍后', no_tasks: '今天没有任务。', last_sync: '上次同步', never: '从未',
  send_now: '立即发送', sending: '发送中…', sent_ok: '已发送到服务器', still_offline: '仍然离线，恢复网络后会自动发送。',
  n_waiting: '{n} 条待发送', n_refused: '{n} 条被退回', nothing_waiting: '没有待发送的记录',
  status_due: '待检', status_done: '已完成', status_missed: '已错过', status_queued: '待发送',
  my_orders: '我的工单', no_orders: '没有待处理的工单。', refresh: '刷新',
  prio_emergency: '紧急', prio_normal: '一般', prio_planned: '计划',
  wo_open: '待派单', wo_assigned: '待接单', wo_accepted: '已接单', wo_in_progress: '处理中', wo_done: '已完成',
  wo_verified: '已回访', wo_cancelled: '已取消',
  scan_qr: '扫描二维码', type_code: '或输入巡检点编码', open: '打开', scan_again: '重新扫码',
  scan_hint: '对准巡检点标签上的二维码。', scan_hint_no_camera: '此浏览器不能直接识别二维码：可用手机相机扫描标签，或输入标签上印的编码。',
  camera_failed: '无法打开相机，请输入编码。', unknown_checkpoint: '找不到这个巡检点',
  unknown_checkpoint_hint: '请检查编码；新增的巡检点需要联网同步一次。', unknown_checklist: '找不到这份检查表',
  choose_checklist: '选择检查表', due_at: '{time} 应检', no_checklist_here: '此巡检点没有检查表。', report_here: '在此上报问题',
  all_pass: '全部合格', checked_n_of: '已检 {n}/{total}', submit: '提交', submit_with_failures: '提交（{n} 项不合格）',
  photo_if_fail: '不合格须拍照', note_placeholder: '问题说明（例如：哪一盏、什么情况）', mark_na: '不适用',
  result_unset: '未检', result_pass: '合格', result_fail: '不合格', result_na: '不适用',
  n_unchecked: '还有 {n} 项未检查。', photo_missing: '“{item}”不合格，必须拍照。',
  draft_resumed: '继续未完成的检查', draft_started: '{time} 开始 · 已恢复结果、说明和照片', discard_draft: '放弃草稿，重新检查',
  confirm_discard_draft: '放弃后，已勾选的结果、说明和照片都会删除。确定吗？', not_saved: '没能保存到手机：{error}', status_draft: '未完成',
  take_photo: '拍照', required: '必须', remove_photo: '删除照片', saved_to_outbox: '已保存，联网后自动发送',
  report_title: '上报问题', place_words: '具体位置', place_placeholder: '例如：3 号楼东侧花坛', place: '位置', choose_zone: '选择片区', or_scan_checkpoint: '或扫描巡检点',
  what_is_wrong: '问题描述', report_note_placeholder: '看到了什么问题？', trade: '专业', priority: '紧急程度',
  send_report: '上报', note_required: '请写下问题描述。', place_required: '请选择位置或扫描巡检点。',
  trade_security: '秩序维护', trade_cleaning: '保洁', trade_engineering: '工程维修', trade_landscaping: '绿化',
  trade_customer_service: '客服',
  respond_by: '响应时限', resolve_by: '完成时限', order_not_found: '找不到这张工单',
  order_note_placeholder: '备注（可选）', after_photo_hint: '完成前请拍摄维修后的照片。', after_photo_required: '完成工单须上传维修后照片。',
  action_accept: '接单', action_start: '开始处理', action_finish: '完成', no_step_here: '这张工单现在不需要您操作。',
  kind_inspection: '巡检', kind_finding: '上报', kind_transition: '工单',
  entry_pending: '待发送', entry_refused: '被退回', n_photos: '{n} 张照片', retrying: '已重试 {n} 次，稍后再试',
  try_again: '重新发送', discard: '删除', confirm_discard: '删除后这条记录不会再发送，确定吗？',
  logout: '退出登录', confirm_logout: '退出会清除手机上的全部资料。', confirm_logout_pending: '还有 {n} 条未发送，退出将删除它们。确定退出吗？',
  confirm_logout_drafts: '还有 {n} 个未完成的检查（草稿），退出也会删除。',
};

const en = {
  app_name: 'Patrol', login: 'Log in', login_title: 'Log in to Patrol', login_hint: 'Log in once; a whole round then works offline.',
  username: 'Username', password: 'Password', offline_login: 'No network: connect and try again.',
  login_again: 'Your login expired. Log in again; unsent records are kept.', sync_failed: 'Could not sync data; will retry.',
  tab_today: 'Today', tab_scan: 'Scan', tab_report: 'Report', tab_orders: 'Orders', outbox: 'Outbox',
  todays_tasks: "Today's tasks", due_now: 'Due now', nothing_due_now: 'Nothing due right now.', later_today: 'Later today', no_tasks: 'No tasks today.', last_sync: 'Last sync', never: 'never',
  send_now: 'Send now', sending: 'Sending…', sent_ok: 'Sent to the server', still_offline: 'Still offline; sending resumes when the network is back.',
  n_waiting: '{n} waiting to send', n_refused: '{n} refused', nothing_waiting: 'Nothing waiting to send',
  status_due: 'Due', status_done: 'Done', status_missed: 'Missed', status_queued: 'Queued',
  my_orders: 'My work orders', no_orders: 'No open work orders.', refresh: 'Refresh',
  prio_emergency: 'Emergency', prio_normal: 'Normal', prio_planned: 'Planned',
  wo_open: 'Open', wo_assigned: 'Assigned', wo_accepted: 'Accepted', wo_in_progress: 'In progress', wo_done: 'Done',
  wo_verified: 'Verified', wo_cancelled: 'Cancelled',
  scan_qr: 'Scan QR code', type_code: 'Or type the checkpoint code', open: 'Open', scan_again: 'Scan again',
  scan_hint: 'Point at the QR code on the checkpoint label.', scan_hint_no_camera: 'This browser cannot read QR codes: scan the label with the phone camera or type the printed code.',
  camera_failed: 'Cannot open the camera; type the code.', unknown_checkpoint: 'Unknown checkpoint',
  unknown_checkpoint_hint: 'Check the code; a new checkpoint needs one sync online.', unknown_checklist: 'Unknown checklist',
  choose_checklist: 'Choose a checklist', due_at: 'due {time}', no_checklist_here: 'No checklist at this checkpoint.', report_here: 'Report a problem here',
  all_pass: 'All pass', checked_n_of: 'Checked {n}/{total}', submit: 'Submit', submit_with_failures: 'Submit ({n} failed)',
  photo_if_fail: 'photo if failed', note_placeholder: 'What is wrong (which one, what happened)', mark_na: 'Not applicable',
  result_unset: 'Not checked', result_pass: 'Pass', result_fail: 'Fail', result_na: 'N/A',
  n_unchecked: '{n} items not checked yet.', photo_missing: '"{item}" failed and needs a photo.',
  draft_resumed: 'Resume draft', draft_started: 'Started {time} · results, notes and photos restored', discard_draft: 'Discard draft, start over',
  confirm_discard_draft: 'The results, notes and photos of this draft will be deleted. Discard it?', not_saved: 'Could not save on this phone: {error}', status_draft: 'Unfinished',
  take_photo: 'Take photo', required: 'required', remove_photo: 'Remove photo', saved_to_outbox: 'Saved; sends when online',
  report_title: 'Report a problem', place_words: 'Exactly where', place_placeholder: 'e.g. flower bed east of tower 3', place: 'Place', choose_zone: 'Choose a zone', or_scan_checkpoint: 'or scan a checkpoint',
  what_is_wrong: 'What is wrong', report_note_placeholder: 'What did you see?', trade: 'Trade', priority: 'Priority',
  send_report: 'Send report', note_required: 'Write what is wrong.', place_required: 'Choose a zone or scan a checkpoint.',
  trade_security: 'Security', trade_cleaning: 'Cleaning', trade_engineering: 'Engineering', trade_landscaping: 'Landscaping',
  trade_customer_service: 'Customer service',
  respond_by: 'Respond by', resolve_by: 'Resolve by', order_not_found: 'Work order not found',
  order_note_placeholder: 'Note (optional)', after_photo_hint: 'Take a photo of the finished repair.', after_photo_required: 'Finishing needs an after-photo.',
  action_accept: 'Accept', action_start: 'Start', action_finish: 'Finish', no_step_here: 'Nothing for you to do on this order now.',
  kind_inspection: 'Inspection', kind_finding: 'Report', kind_transition: 'Work order',
  entry_pending: 'Waiting', entry_refused: 'Refused', n_photos: '{n} photos', retrying: 'Tried {n} times; will retry',
  try_again: 'Send again', discard: 'Discard', confirm_discard: 'This record will never be sent. Discard it?',
  logout: 'Log out', confirm_logout: 'Logging out clears everything stored on this phone.', confirm_logout_pending: '{n} records are unsent and will be deleted. Log out?',
  confirm_logout_drafts: '{n} unfinished checks (drafts) will be deleted too.',
};

const DICTS = { zh, en };

export function getLang() {
  const l = localStorage.getItem(LANG_KEY);
  return l === 'en' ? 'en' : 'zh';
}

export function setLang(l) { localStorage.setItem(LANG_KEY, l === 'en' ? 'en' : 'zh'); }

export function t(key, vars) {
  const d = DICTS[getLang()];
  let s = d[key] ?? zh[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

/** The object's field in the current language, falling back to Chinese. */
export function pick(obj, field) {
  if (!obj) return '';
  if (getLang() === 'en' && obj[`${field}_en`]) return obj[`${field}_en`];
  return obj[field] ?? '';
}
