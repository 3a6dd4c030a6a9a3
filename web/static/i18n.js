// Translations: Japanese first, English by the toggle. Every string reaches the page through
// textContent or an attribute, never as HTML.

const dict = {
  ja: {
    'app.title': '包括発注計画',
    'lang.hint': '表示言語を切り替えます',
    'lang.other': 'English',
    'tab.scenario': 'シナリオ', 'tab.results': '結果', 'tab.compare': '比較', 'tab.import': '取込・出力',
    'scenario.current': 'シナリオ', 'scenario.copy': '複製して新規', 'scenario.copyname': '{name} の複製',
    'scenario.default': 'シナリオ 1',
    'f.name': '名称', 'f.fy': '年度', 'f.fixed': '契約固定費（円）', 'f.travel': '移動費（円/km）',
    'f.circuity': '迂回係数', 'f.equipment': '特殊機材の動員費（円）',
    'f.limits': 'ロットの制約（空欄は制約なし）',
    'f.min_value': '最低契約額（円）', 'f.max_value': '最高契約額（円）', 'f.max_workload': '最大作業量（人日）',
    'f.max_assets': '最大施設数', 'f.max_distance': '最大距離（km）',
    'f.mixing': '分野の混在（道路・下水）', 'f.mix_surcharge': '割増で認める', 'f.surcharge': '割増額（円）',
    'f.mix_forbidden': '混在を禁止', 'f.region_lock': '地域をまたがない',
    'f.ir': 'どの市町村も単独より高くならない（個別合理性）', 'f.time_limit': '計算時間（秒）',
    'f.participation_hint': '参加・不参加は地図で市町村をクリックして切り替えます。',
    'f.nonparticipants': '不参加',
    'act.save': '保存', 'act.solve': '計算する', 'act.stop': '停止', 'act.login': 'サインイン',
    'f.participation': '市町村の参加（一覧）', 'st.unauthorized': 'サインインが必要です（API トークン）',
    'progress.title': '計算の進み具合', 'progress.status': '状態', 'progress.elapsed': '経過',
    'progress.best': '最良の費用', 'progress.bound': '下界', 'progress.gap': 'ギャップ',
    'results.run': '計算結果', 'results.empty': 'まだ計算結果がありません。シナリオで「計算する」を押してください。',
    'results.bundles': 'ロット', 'results.munis': '市町村の負担',
    'tot.standalone': '単独発注の合計', 'tot.plan': '包括発注の費用', 'tot.saving': '削減額（率）',
    'tot.gap': '最適性ギャップ', 'tot.ir': '単独より負担が増える市町村: {list}',
    'b.id': 'ロット', 'b.depot': '拠点', 'b.munis': '市町村', 'b.assets': '施設数', 'b.value': '契約額',
    'b.workload': '作業量', 'b.equipment': '機材', 'b.more': 'ほか {n}',
    'm.name': '市町村', 'm.standalone': '単独', 'm.share': '負担額', 'm.saving': '削減率', 'm.ir': '個別合理性',
    'm.ir_ok': '満たす', 'm.ir_bad': '単独より高い',
    'cmp.hint': '2つの計算結果を比べます。条件の違い、市町村ごとの負担と削減額の差、拠点が変わった施設を示します（差はすべて B − A）。',
    'cmp.a': '比較元 A', 'cmp.b': '比較先 B', 'cmp.go': '比較する', 'cmp.moved': '移動した施設',
    'cmp.show': '地図で表示', 'cmp.asset': '施設', 'cmp.from': 'A の拠点（ロット）', 'cmp.to': 'B の拠点（ロット）',
    'cmp.differs': '違い（A → B）', 'cmp.same_inputs': '条件は同じです（計算の違いのみ）', 'cmp.saving': '削減額',
    'cmp.by_muni': '市町村ごとの負担と削減額（差は B − A）', 'cmp.muni': '市町村', 'cmp.share_a': 'A の負担（円）', 'cmp.share_b': 'B の負担（円）',
    'cmp.share_diff': '負担の差', 'cmp.saving_diff': '削減額の差', 'cmp.moved_n': '移動', 'cmp.csv': 'この表を CSV で保存（A・B の削減額も）',
    'cmp.moves': '拠点が変わった施設', 'cmp.depot': '拠点', 'cmp.left': '出た', 'cmp.joined': '入った',
    'cmp.flows': '拠点の移り変わり', 'cmp.flow': '{from} → {to} {n} 件',
    'cmp.f.seed': '乱数シード', 'cmp.f.assets': '対象施設数', 'cmp.f.version': 'モデルの版',
    'cmp.f.participates': '{name} の参加', 'cmp.f.region': '{name} の地域',
    'cmp.pin_added': '固定を追加', 'cmp.pin_removed': '固定を削除',
    'cmp.pin_asset': '{asset} を {depot} のロットへ', 'cmp.pin_forbid': '{asset} を {depot} のロットに入れない',
    'cmp.pin_lot': '{depot} のロットに {n} 施設', 'cmp.pin_locked': '{depot} のロットを固定（{n} 施設）', 'cmp.pin_fy': '（{fy} 年度）',
    'cmp.none': '（なし）', 'cmp.cost': '費用', 'cmp.standalone': '単独発注の合計', 'cmp.saving_pct': '削減率',
    'cmp.bundles': 'ロット数', 'cmp.gap': 'ギャップ', 'cmp.ir': '個別合理性違反',
    'imp.title': '施設台帳の取込', 'imp.file': 'ファイル（CSV・GeoJSON・xROAD JSON）', 'imp.kind': '形式',
    'imp.auto': '自動判定', 'imp.partial': '正しい行だけ取り込む（既定は全件か無しか）', 'imp.go': '取り込む',
    'imp.report': '取込結果', 'imp.status': '区分', 'imp.where': '行・地物', 'imp.field': '施設・項目',
    'imp.reason': '理由', 'imp.rejected': '不採用', 'imp.flagged': '要確認', 'imp.skipped': '対象外',
    'imp.skipped_n': '対象外 {n} 件',
    'imp.counts': '新規 {created} 件・更新 {updated} 件・変更なし {unchanged} 件・不採用 {rejected} 件・要確認 {flagged} 件',
    'imp.nofile': 'ファイルを選んでください。', 'imp.failed': '取込は行われませんでした（全件か無しか）。',
    'imp.line': '{n} 行目', 'imp.feature': '地物 {n}',
    'imp.missing': '市区町村 {codes} の境界がありません。先に都道府県の行政区域ファイル（国土数値情報 N03: {files}）を取り込んでください（?{query} でその市区町村だけを取り込めます）。',
    'imp.warn_over_water': 'xROAD には渡河の項目がないため、この {n} 橋はどれも船を使う見積りになりません。id,over_water の CSV を ?join=over_water で取り込むと設定できます。',
    'exp.title': '出力', 'exp.none': '計算結果を選ぶと出力できます。', 'exp.geojson': '計画（GeoJSON）',
    'exp.csv': '計画（CSV）', 'exp.print': '印刷用サマリー',
    'print.title': '包括発注計画 サマリー',
    'print.meta': 'シナリオ「{scenario}」・計算 {run}・{date}',
    'st.loading': '読み込み中…', 'st.ready': '準備完了', 'st.saved': 'シナリオを保存しました',
    'st.solving': '計算中…', 'st.done': '計算が終わりました', 'st.stopped': '計算を停止しました',
    'st.failed': '計算に失敗しました: {error}', 'st.error': 'エラー: {error}', 'st.imported': '取り込みました',
    'st.participation': '{name} を{state}にしました',
    'run.queued': '待機中', 'run.running': '計算中', 'run.done': '完了', 'run.failed': '失敗',
    'run.cancelled': '停止', 'run.interrupted': '中断',
    'run.label': '{time} {scenario}（{status}）',
    'kind.bridge': '橋梁', 'kind.tunnel': 'トンネル', 'kind.culvert': 'カルバート', 'kind.footbridge': '横断歩道橋',
    'kind.road_furniture': '道路附属物', 'kind.sewer_plant': '下水処理場', 'kind.pump_station': 'ポンプ場',
    'kind.depot': '拠点', 'kind.outline': 'ロットの範囲',
    'a.id': 'ID', 'a.name': '名称', 'a.kind': '種別', 'a.municipality': '市町村', 'a.length': '延長（m）',
    'a.width': '幅員（m）', 'a.year': '架設年度', 'a.health': '健全性', 'a.last': '前回点検年度',
    'a.over_rail': '跨線', 'a.over_water': '渡河', 'a.cost': '点検費（推計）', 'a.workload': '作業量（人日）',
    'a.equipment': '必要な機材', 'a.why': '推計の根拠', 'a.bundle': 'ロット', 'a.none': '—',
    'yes': 'はい', 'no': 'いいえ',
    // Health, stop reasons, rule names, the estimate's reasons (derived.why_codes) and the import's
    // reasons, said in Japanese; the page never shows the API's English prose in Japanese.
    'sep.list': '、', 'fmt.paren': '{a}（{b}）',
    'health.1': 'Ⅰ', 'health.2': 'Ⅱ', 'health.3': 'Ⅲ', 'health.4': 'Ⅳ',
    'progress.stop': '終了の理由',
    'stop.gap_closed': '最適性を確認', 'stop.time_limit': '計算時間に到達', 'stop.iteration_limit': '反復回数に到達',
    'stop.cancelled': '停止', 'stop.infeasible': '実行可能な計画なし',
    'unit.million': '{v} 百万円', 'unit.yen_rate': '{v} 円', 'unit.pd_rate': '{v} 人日',
    'why.cost': '点検費 {v}：{steps}', 'why.workload': '作業量 {v}：{steps}', 'why.equipment': '機材 {step}', 'why.sep': '；',
    'why.kind_rate': '{kind}：{base} ＋ {per_metre}/m × {length_m} m',
    'why.over_rail.cost': '跨線：＋ {base} ＋ {per_metre}/m × {length_m} m（上限 {max}）＝ {extra}',
    'why.over_rail.workload': '跨線：＋ {extra}', 'why.damaged': '健全性 {health}：× {factor}', 'why.explicit': '台帳の値',
    'why.kind_equipment': '{kind}：{equipment}', 'why.snooper_length': '橋梁点検車：延長 {length_m} m ≥ {min_m} m',
    'why.boat_over_water': '点検用ボート：渡河かつ延長 {length_m} m ≥ {min_m} m',
    'why.rope_access_length': 'ロープアクセス：延長 {length_m} m ≥ {min_m} m',
    'why.traffic_control_snooper': '交通誘導員：橋梁点検車に伴う誘導', 'why.traffic_control_width': '交通誘導員：幅員 {width_m} m ≥ {min_m} m',
    'why.rail_coordination': '鉄道事業者との協議：跨線', 'why.none_needed': '不要',
    'why.unpriced_kind': '種別「{kind}」は単価表にありません（台帳で点検費と作業量を与えてください）',
    'why.invalid_figures': '台帳の値が範囲外のため推計できません',
    'fld.id': '施設ID', 'fld.municipality': '市町村コード', 'fld.kind': '種別', 'fld.name': '名称', 'fld.lon': '経度',
    'fld.lat': '緯度', 'fld.length_m': '延長', 'fld.width_m': '幅員', 'fld.year_built': '架設年度', 'fld.health': '健全性',
    'fld.last_inspection_fy': '前回点検年度', 'fld.over_rail': '跨線', 'fld.over_water': '渡河', 'fld.cost': '点検費',
    'fld.workload': '作業量', 'fld.equipment': '機材', 'fld.geometry': '形状', 'fld.properties.N03_007': '行政区域コード',
    'fld.result': 'レコード', 'fld.syogen.kanrisya.kubun': '管理者区分', 'fld.': 'この項目',
    'ir.required': '{field}がありません（必須項目です）', 'ir.nan': '{field}の「{v}」は数値ではありません',
    'ir.degrees': '{field} {v} は {lo}～{hi} 度の範囲外です', 'ir.swapped': '（経度と緯度が入れ替わっていませんか）',
    'ir.duplicate': '施設ID {id} が{where}と重複しています', 'ir.unknown_muni': '市町村 {code} は未登録です（行政区域（N03）を取り込むか、先に登録してください）',
    'ir.csv': 'CSV の形式が正しくありません（{n} 列目）', 'ir.columns': '項目数 {n} が見出しの {m} と合いません',
    'ir.equipment': '「{v}」は機材名ではありません', 'ir.no_code': '市町村コードがありません（所属未定地など）',
    'ir.owner_class': '管理者区分 {v} は市町村ではありません（4 政令市・5 市区町村のみ）',
    'ir.outside': '{muni}の境界から {d} m 外にあります（許容 {tol} m）', 'ir.inside': '、{muni}の区域内',
    'ir.no_boundary': '{muni}には照合する境界がなく、{other}の区域内にあります',
    'ir.other': '{field}の値を受け付けられません',
    'print.params': 'シナリオの条件', 'print.unlimited': '制約なし', 'print.forbidden': '混在を禁止',
    'print.surcharge': '割増 {v} で認める', 'print.on': 'あり', 'print.off': 'なし',
    'mu.code': 'コード', 'mu.region': '地域', 'mu.assets': '施設数', 'mu.standalone': '単独発注の費用',
    'mu.share': '負担額', 'mu.saving': '削減額', 'mu.participates': 'このシナリオに参加する',
    'mu.in': '参加', 'mu.out': '不参加',
    'depot.title': '拠点', 'outline.cost': '契約額',
    'unit.yen': '{v} 円', 'unit.pd': '{v} 人日', 'unit.s': '{v} 秒',
    'credit.n03': '「国土数値情報（行政区域データ）」（国土交通省）を加工して作成',
    'layer.munis': '市町村界', 'layer.assets': '施設', 'layer.depots': '拠点', 'layer.outlines': 'ロットの範囲',
    'layer.tiles': '背景地図',
    'eq.snooper_truck': '橋梁点検車', 'eq.aerial_platform': '高所作業車', 'eq.rope_access': 'ロープアクセス',
    'eq.boat': '点検用ボート', 'eq.traffic_control': '交通誘導員', 'eq.rail_coordination': '鉄道事業者との協議',
    'legend.kinds': '施設の種別', 'legend.bundles': '色はロット、点線はロットの範囲、灰色は計画外（今年度の対象外・不参加）', 'legend.out': '不参加', 'legend.ir': '単独より負担が増える市町村',
    'legend.truncated': '表示範囲の施設が多いため {n} 件だけ表示しています。拡大するとすべて表示します',
    'mu.open': '地図で見る', 'a.open': '詳細',
    // moves and why here (moves.js)
    'mv.title': '手で動かす', 'mv.hint': 'Shift＋ドラッグで範囲を選ぶか、Ctrl（⌘）＋クリックで施設を選び、移す先のロットを選びます。費用と規則はその場で評価されます。',
    'mv.selected': '選択中: {n} 施設', 'mv.clear': '選択を解除', 'mv.to': '移す先', 'mv.depot': '新しいロットの拠点', 'mv.fy': '新しいロットの年度', 'mv.fy_option': '{fy}年度',
    'mv.lot_option': '{lot}（{depot}）', 'mv.new_lot': '新しいロット…', 'mv.move': '移す', 'mv.pricing': '評価中…',
    'mv.cost': '変更後の費用', 'mv.delta': '計画の費用の変化', 'mv.moves': '移動の数', 'mv.new_rule': '（この変更で発生）',
    'mv.feasible': 'すべての規則を満たします', 'mv.infeasible': '{n} 件の規則に反します',
    'mv.shares': '市町村の負担の変化', 'mv.before': '変更前', 'mv.after': '変更後', 'mv.change': '変化',
    'mv.opened': '（新設）', 'mv.closed': '（廃止）', 'mv.lots': '変わったロット',
    'mv.keep': 'この計画を保存', 'mv.undo': '1つ戻す', 'mv.kept': '手で変えた計画を計算結果 #{run} として保存しました',
    'mv.select': '移す施設に選ぶ', 'mv.unselect': '選択から外す', 'mv.why': 'なぜこのロット？',
    'mv.here': '今のロット {lot}（{depot} から {km} km）での費用: {cost}',
    'mv.cheapest': '規則を破らずに移せるロット（安い順）:', 'mv.move_there': 'ここへ移す',
    'mv.option': '{lot}（{depot}、{km} km）: 計画の費用 {delta}', 'mv.no_option': '規則を破らずに移せるロットはありません。',
    'mv.forbidden': '移せないロットと理由:', 'mv.forbid_line': '{lot}: {rules}（費用 {delta}）',
    'mv.why_lot': 'なぜ', 'mv.why_lot_hint': 'このロットの費用の内訳と、費用のかかる施設',
    'mv.lot_title': 'ロット {lot}（{depot}）の内訳', 'mv.fixed': '契約固定費', 'mv.equipment': '機材の動員費',
    'mv.surcharge': '分野混在の割増', 'mv.assets': '点検費', 'mv.travel': '移動費', 'mv.total': '合計',
    'mv.value_limits': '契約額の範囲', 'mv.range': '{lo}～{hi}', 'mv.workload': '作業量（人日）', 'mv.of': '{v} / 上限 {max}',
    'mv.count': '施設数', 'mv.distance': '最遠の施設（km）', 'mv.costliest': 'このロットで費用のかかる施設',
    'mv.keep_cost': 'この施設の分', 'mv.alone': 'この施設だけの機材・割増',
    'mv.run_label': '手で変更（#{parent} から）',
    'mv.rule_in_lot': '{lot}: {rule}', 'mv.rule_asset': '{asset}: {rule}',
    'mv.rule.min_value': '最低契約額を下回る', 'mv.rule.max_value': '最高契約額を超える',
    'mv.rule.max_workload': '作業量の上限を超える', 'mv.rule.max_assets': '施設数の上限を超える',
    'mv.rule.max_distance': '拠点からの距離の上限を超える', 'mv.rule.mixed_discipline': '分野の混在（禁止）',
    'mv.rule.region_lock': '地域をまたぐ', 'mv.rule.pin': '固定・除外に反する', 'mv.rule.coverage': 'どのロットにも入らない施設',
    'mv.rule.individual_rationality': '単独より負担が増える', 'mv.rule.depot_reused': '1つの拠点に2つのロット',
    'mv.rule.empty_bundle': '施設のないロット', 'mv.rule.duplicate': '2つのロットに入る施設',
    'mv.rule.unknown_asset': '不明な施設', 'mv.rule.unknown_depot': '不明な拠点', 'mv.rule.non_participating': '不参加の市町村の施設',
    // pins (pins.js)
    'pin.title': '固定と除外', 'pin.none': '固定はありません。結果のロット表の「固定」、施設の吹き出しから設定します。',
    'pin.lock': '固定', 'pin.locked': '固定中', 'pin.remove': '解除',
    'pin.to_lot': 'このロット（{lot}）に固定', 'pin.forbid': 'この拠点を除外（{depot}）',
    'pin.item_asset': '施設 {asset} → {depot} のロット', 'pin.item_lot': '{depot} のロットに {n} 施設',
    'pin.item_locked': '{depot} のロットを固定（{n} 施設）', 'pin.item_forbid': '施設 {asset} は {depot} のロットに入れない',
    'pin.saved': '固定を保存しました（{n} 件）。次の計算から守られます。',
    // lots (lots.js)
    'lock.on': '各ロットは慣行の地域（{areas}）の中に収めます。チェックを外すと地域をまたぐ契約を認めます。',
    'lock.off': '地域をまたぐ契約を認めています。チェックすると各ロットを地域（{areas}）の中に収めます。',
    'lock.saves': '地域をまたぐ契約を認めると {yen}安くなります。',
    'lock.no_saving': '地域をまたぐ契約を認めても、同じ計算時間では安い計画は見つかりませんでした。',
    'lock.detail': '地域内 {locked}、地域をまたぐ場合 {free}（比較用の計算 run #{run}）',
    'lock.pending_free': '地域をまたぐ契約を認めた場合を計算しています（run #{run}）…',
    'lock.pending_locked': '地域内に限った場合を計算しています（run #{run}）…',
    'lock.none_locked': '地域をまたぐ場合との差はまだ計算していません。',
    'lock.none_free': 'この計算は地域をまたぐ契約を認めています。',
    'lock.ask_free': '地域をまたぐ場合と比べる', 'lock.ask_locked': '地域内に限った場合と比べる',
    'lock.failed': '比較用の計算（run #{run}）は計画を得られませんでした: {error}',
    'lock.this_is': 'この計算は run #{run} の地域の制約を反転した比較用です。',
    'lock.tag': '〔run #{run} の比較用〕',
    'lots.farthest': '最遠（km）', 'lots.area': '範囲（km²）', 'lots.overlaps': '重なり',
    'lots.within': 'どのロットも1つの地域の中に収まっています。',
    'lots.crossing': '{n} ロットが地域をまたいでいます: {list}', 'lots.crossing_item': '{lot}（{regions}）',
    'lots.overlap_head': '範囲が重なるロット（{n} 組）とその理由',
    'lots.overlap': '{a} と {b} の範囲が {km2} km² 重なっています: {why}',
    'ovl.sep': '。', 'ovl.none': '理由は見つかりません',
    'ovl.equipment': '{lot} だけが{eq}を使う（機材の動員は1ロットにつき1回）',
    'ovl.discipline': '工種が異なる（{a} と {b}）',
    'ovl.limit': '1つにまとめると{limits}を超える',
    'ovl.merge_more': '1つにまとめると（{depot}から）{yen}高くなる',
    'ovl.merge_less': '1つにまとめると（{depot}から）{yen}安くなるが、計算時間内に見つかっていない',
    'disc.road': '道路', 'disc.sewer': '下水道',
    'rule.max_value': '最高契約額', 'rule.max_workload': '最大作業量', 'rule.max_assets': '最大施設数',
    'rule.max_distance': '最大距離', 'rule.region_lock': '地域の制約', 'rule.mixed_discipline': '工種の混在の禁止',

    // the five-year programme (programme.js)
    'pg.legend': '5か年計画（複数年度）', 'pg.on': '複数年度で計画する（点検年度・複数年ロット・年度予算）',
    'pg.first_fy': '開始年度', 'pg.years': '計画期間（年）', 'pg.cycle': '点検周期（年、既定 5）',
    'pg.contract': 'ロットの年数（期間を割り切る数）', 'pg.advance': '前倒しの上限（年）',
    'pg.cap_value': '年度の上限：契約額（円）', 'pg.cap_workload': '年度の上限：作業量（人日）',
    'pg.iterations': '探索の反復回数の上限（空欄は時間まで）',
    'pg.compare_yearly': '年度ごとに別々に発注した場合と比べる（計算時間が延びます）',
    'pg.budgets': '市町村の予算（円/年度）', 'pg.budgets_hint': '空欄の市町村は予算の制約なし。年度の一部だけの入力はできません。',
    'pg.quick': '予算 ＝ 単独発注費用の（%）', 'pg.basis': '基準', 'pg.basis_year': '各年度の単独費用',
    'pg.basis_mean': '単独費用の年平均', 'pg.fill': '一括入力', 'pg.clear': '予算を消す',
    'pg.filled': '{n} 市町村の予算を単独費用の {pct} % にしました', 'pg.bad_pct': '割合（%）は 0 以上の数で入力してください',
    'pg.partial': '{name}の予算が {n} 年度分だけです（{H} 年度すべてか、空欄にしてください）',
    'pg.muni': '市町村', 'pg.fy': '{fy}年度', 'a.fy': '点検年度（計画）',
    'pg.title': '5か年計画', 'pg.year_view': '地図に表示する年度', 'pg.all_years': '全年度（年度別の色）',
    'pg.cost': '計画の費用 {v}。', 'pg.yearly_saving': '年度ごとに別々に発注した場合（{alone}）より {v} の削減。',
    'pg.yearly_none': '年度ごとに別々の発注では実行可能な計画がない年度があります。',
    'pg.infeasible': '制約（予算・上限など）を満たさない計画です。',
    'pg.chart': '年度ごとの契約額と作業量', 'pg.value': '契約額（百万円）', 'pg.workload': '作業量（人日）',
    'pg.cap': '年度の上限', 'pg.cap_off': '上限 {v}（目盛りの外）', 'pg.chart_units': '棒の上の数字：契約額は百万円、作業量は人日',
    'pg.payments': '市町村の年度別負担額と予算', 'pg.budget_of': '予算 {v}', 'pg.over': '超過',
    'pg.csv': '負担額と予算の表（CSV）を出力', 'pg.legend_year': '{fy}年度の施設とロット（灰色は他の年度）',
  },
  en: {
    'app.title': 'Bundled inspection contract planner',
    'lang.hint': 'Switch the display language',
    'lang.other': '日本語',
    'tab.scenario': 'Scenario', 'tab.results': 'Results', 'tab.compare': 'Compare', 'tab.import': 'Import / export',
    'scenario.current': 'Scenario', 'scenario.copy': 'Copy as new', 'scenario.copyname': 'Copy of {name}',
    'scenario.default': 'Scenario 1',
    'f.name': 'Name', 'f.fy': 'Fiscal year', 'f.fixed': 'Fixed cost per contract (JPY)',
    'f.travel': 'Travel cost (JPY/km)', 'f.circuity': 'Circuity factor',
    'f.equipment': 'Special equipment mobilisation (JPY)', 'f.limits': 'Bundle limits (blank = no limit)',
    'f.min_value': 'Minimum value (JPY)', 'f.max_value': 'Maximum value (JPY)',
    'f.max_workload': 'Maximum workload (person-days)', 'f.max_assets': 'Maximum assets',
    'f.max_distance': 'Maximum distance (km)', 'f.mixing': 'Mixing road and sewer work',
    'f.mix_surcharge': 'Allowed with a surcharge', 'f.surcharge': 'Surcharge (JPY)',
    'f.mix_forbidden': 'Forbidden', 'f.region_lock': 'Keep each bundle within one region',
    'f.ir': 'No municipality pays more than alone (individual rationality)',
    'f.time_limit': 'Time limit (s)',
    'f.participation_hint': 'Click a municipality on the map to switch its participation.',
    'f.nonparticipants': 'Not participating',
    'act.save': 'Save', 'act.solve': 'Solve', 'act.stop': 'Stop', 'act.login': 'Sign in',
    'f.participation': 'Participation of each municipality', 'st.unauthorized': 'Sign in first (API token)',
    'progress.title': 'Progress', 'progress.status': 'Status', 'progress.elapsed': 'Elapsed',
    'progress.best': 'Best cost', 'progress.bound': 'Lower bound', 'progress.gap': 'Gap',
    'results.run': 'Run', 'results.empty': 'No result yet. Press “Solve” in the scenario panel.',
    'results.bundles': 'Bundles', 'results.munis': 'Municipalities’ shares',
    'tot.standalone': 'Standalone total', 'tot.plan': 'Plan cost', 'tot.saving': 'Saving (%)',
    'tot.gap': 'Optimality gap', 'tot.ir': 'Municipalities paying more than alone: {list}',
    'b.id': 'Bundle', 'b.depot': 'Depot', 'b.munis': 'Municipalities', 'b.assets': 'Assets', 'b.value': 'Value',
    'b.workload': 'Workload', 'b.equipment': 'Equipment', 'b.more': '+{n} more',
    'm.name': 'Municipality', 'm.standalone': 'Standalone', 'm.share': 'Share', 'm.saving': 'Saving %',
    'm.ir': 'Individual rationality', 'm.ir_ok': 'met', 'm.ir_bad': 'pays more than alone',
    'cmp.hint': 'Compare two runs: what differs in their inputs, each municipality\'s share and saving, and the assets whose depot changed (every difference is B − A).',
    'cmp.a': 'Run A', 'cmp.b': 'Run B', 'cmp.go': 'Compare', 'cmp.moved': 'Assets moved',
    'cmp.show': 'Show on map', 'cmp.asset': 'Asset', 'cmp.from': 'Depot in A (lot)', 'cmp.to': 'Depot in B (lot)',
    'cmp.differs': 'What differs (A → B)', 'cmp.same_inputs': 'Same inputs (the runs differ only in the search)', 'cmp.saving': 'Saving',
    'cmp.by_muni': 'Share and saving by municipality (differences B − A)', 'cmp.muni': 'Municipality', 'cmp.share_a': 'Share in A (JPY)', 'cmp.share_b': 'Share in B (JPY)',
    'cmp.share_diff': 'Share change', 'cmp.saving_diff': 'Saving change', 'cmp.moved_n': 'Moved', 'cmp.csv': 'Download this table as CSV (with both savings)',
    'cmp.moves': 'Assets whose depot changed', 'cmp.depot': 'Depot', 'cmp.left': 'Left', 'cmp.joined': 'Joined',
    'cmp.flows': 'From depot → to depot', 'cmp.flow': '{from} → {to}: {n}',
    'cmp.f.seed': 'Random seed', 'cmp.f.assets': 'Assets planned', 'cmp.f.version': 'Model version',
    'cmp.f.participates': '{name} takes part', 'cmp.f.region': 'Region of {name}',
    'cmp.pin_added': 'Pin added', 'cmp.pin_removed': 'Pin removed',
    'cmp.pin_asset': '{asset} to the lot of {depot}', 'cmp.pin_forbid': '{asset} kept out of the lot of {depot}',
    'cmp.pin_lot': 'lot of {depot} holds {n} assets', 'cmp.pin_locked': 'lot of {depot} locked ({n} assets)', 'cmp.pin_fy': ' (FY{fy})',
    'cmp.none': '(none)', 'cmp.cost': 'Cost', 'cmp.standalone': 'Standalone total', 'cmp.saving_pct': 'Saving %',
    'cmp.bundles': 'Bundles', 'cmp.gap': 'Gap', 'cmp.ir': 'IR violations',
    'imp.title': 'Import the inventory', 'imp.file': 'File (CSV, GeoJSON, xROAD JSON)', 'imp.kind': 'Format',
    'imp.auto': 'Detect', 'imp.partial': 'Import the valid rows only (default: all or nothing)',
    'imp.go': 'Import', 'imp.report': 'Import report', 'imp.status': 'Kind', 'imp.where': 'Line / feature',
    'imp.field': 'Asset / field', 'imp.reason': 'Reason', 'imp.rejected': 'rejected', 'imp.flagged': 'flagged',
    'imp.skipped': 'skipped', 'imp.skipped_n': '{n} skipped',
    'imp.counts': '{created} created, {updated} updated, {unchanged} unchanged, {rejected} rejected, {flagged} flagged',
    'imp.nofile': 'Choose a file first.', 'imp.failed': 'Nothing was imported (all or nothing).',
    'imp.line': 'line {n}', 'imp.feature': 'feature {n}',
    'imp.missing': 'No boundary for municipalities {codes}: import the prefecture\'s boundary file first (National Land Numerical Information N03: {files}; ?{query} takes only those municipalities).',
    'imp.warn_over_water': 'xROAD does not say which bridges span water: none of these {n} bridges is estimated with a boat. Supply it with a CSV of id,over_water imported with ?join=over_water.',
    'exp.title': 'Export', 'exp.none': 'Choose a run to export it.', 'exp.geojson': 'Plan (GeoJSON)',
    'exp.csv': 'Plan (CSV)', 'exp.print': 'Printable summary',
    'print.title': 'Bundling plan — summary',
    'print.meta': 'Scenario “{scenario}”, run {run}, {date}',
    'st.loading': 'Loading…', 'st.ready': 'Ready', 'st.saved': 'Scenario saved',
    'st.solving': 'Solving…', 'st.done': 'Solve finished', 'st.stopped': 'Solve stopped',
    'st.failed': 'Solve failed: {error}', 'st.error': 'Error: {error}', 'st.imported': 'Imported',
    'st.participation': '{name}: {state}',
    'run.queued': 'queued', 'run.running': 'running', 'run.done': 'done', 'run.failed': 'failed',
    'run.cancelled': 'stopped', 'run.interrupted': 'interrupted',
    'run.label': '{time} {scenario} ({status})',
    'kind.bridge': 'Bridge', 'kind.tunnel': 'Tunnel', 'kind.culvert': 'Culvert', 'kind.footbridge': 'Footbridge',
    'kind.road_furniture': 'Road furniture', 'kind.sewer_plant': 'Sewer plant', 'kind.pump_station': 'Pump station',
    'kind.depot': 'Depot', 'kind.outline': 'Bundle outline',
    'a.id': 'ID', 'a.name': 'Name', 'a.kind': 'Kind', 'a.municipality': 'Municipality', 'a.length': 'Length (m)',
    'a.width': 'Width (m)', 'a.year': 'Year built', 'a.health': 'Health', 'a.last': 'Last inspection (FY)',
    'a.over_rail': 'Over a railway', 'a.over_water': 'Over water', 'a.cost': 'Inspection cost (estimate)',
    'a.workload': 'Workload (person-days)', 'a.equipment': 'Equipment', 'a.why': 'Why this estimate',
    'a.bundle': 'Bundle', 'a.none': '—',
    'yes': 'yes', 'no': 'no',
    'sep.list': ', ', 'fmt.paren': '{a} ({b})',
    'health.1': 'I', 'health.2': 'II', 'health.3': 'III', 'health.4': 'IV',
    'progress.stop': 'Stopped because',
    'stop.gap_closed': 'optimality proven', 'stop.time_limit': 'time limit reached', 'stop.iteration_limit': 'iteration limit reached',
    'stop.cancelled': 'stopped', 'stop.infeasible': 'no feasible plan',
    'unit.million': '¥{v} million', 'unit.yen_rate': '¥{v}', 'unit.pd_rate': '{v} person-days',
    'why.cost': 'cost {v}: {steps}', 'why.workload': 'workload {v}: {steps}', 'why.equipment': 'equipment {step}', 'why.sep': '; ',
    'why.kind_rate': '{kind}: {base} + {per_metre}/m × {length_m} m',
    'why.over_rail.cost': 'over rail: + min({max}, {base} + {per_metre}/m × {length_m} m) = {extra}',
    'why.over_rail.workload': 'over rail: + {extra}', 'why.damaged': 'health {health}: × {factor}', 'why.explicit': 'explicit in the inventory',
    'why.kind_equipment': '{kind}: {equipment}', 'why.snooper_length': 'snooper truck: length {length_m} m ≥ {min_m} m',
    'why.boat_over_water': 'boat: over water and length {length_m} m ≥ {min_m} m',
    'why.rope_access_length': 'rope access: length {length_m} m ≥ {min_m} m',
    'why.traffic_control_snooper': 'traffic control: guards for the snooper truck', 'why.traffic_control_width': 'traffic control: width {width_m} m ≥ {min_m} m',
    'why.rail_coordination': 'railway coordination: over rail', 'why.none_needed': 'none needed',
    'why.unpriced_kind': 'the cost model does not price the kind “{kind}” (give cost and workload in the inventory)',
    'why.invalid_figures': 'no estimate: a figure of the inventory is out of range',
    'print.params': 'Scenario parameters', 'print.unlimited': 'no limit', 'print.forbidden': 'forbidden',
    'print.surcharge': 'allowed, surcharge {v}', 'print.on': 'yes', 'print.off': 'no',
    'mu.code': 'Code', 'mu.region': 'Region', 'mu.assets': 'Assets', 'mu.standalone': 'Standalone cost',
    'mu.share': 'Share', 'mu.saving': 'Saving', 'mu.participates': 'Participates in this scenario',
    'mu.in': 'participating', 'mu.out': 'not participating',
    'depot.title': 'Depot', 'outline.cost': 'Value',
    'unit.yen': '¥{v}', 'unit.pd': '{v} person-days', 'unit.s': '{v} s',
    // The credit line is required in Japanese whatever the language.
    'credit.n03': '「国土数値情報（行政区域データ）」（国土交通省）を加工して作成',
    'layer.munis': 'Municipalities', 'layer.assets': 'Assets', 'layer.depots': 'Depots',
    'layer.outlines': 'Bundle outlines', 'layer.tiles': 'Background map',
    'eq.snooper_truck': 'Snooper truck', 'eq.aerial_platform': 'Aerial platform', 'eq.rope_access': 'Rope access',
    'eq.boat': 'Boat', 'eq.traffic_control': 'Traffic control', 'eq.rail_coordination': 'Railway coordination',
    'legend.kinds': 'Asset kinds', 'legend.bundles': 'Colour = bundle, dashed line = its outline, grey = not in the plan (not due, not participating)',
    'legend.out': 'not participating', 'legend.ir': 'pays more than alone',
    'legend.truncated': 'Only {n} of the assets in view are drawn; zoom in to see them all',
    'mu.open': 'Show on map', 'a.open': 'Details',
    // moves and why here (moves.js)
    'mv.title': 'Move by hand', 'mv.hint': 'Shift-drag a box or Ctrl/⌘-click assets, then choose the lot to move them to. Cost and rules are evaluated at once.',
    'mv.selected': 'Selected: {n} assets', 'mv.clear': 'Clear selection', 'mv.to': 'Move to', 'mv.depot': 'Depot of the new lot', 'mv.fy': 'Year of the new lot', 'mv.fy_option': 'FY{fy}',
    'mv.lot_option': '{lot} ({depot})', 'mv.new_lot': 'New lot…', 'mv.move': 'Move', 'mv.pricing': 'Evaluating…',
    'mv.cost': 'Cost after the moves', 'mv.delta': 'Change of the plan’s cost', 'mv.moves': 'Moves', 'mv.new_rule': '(broken by this edit)',
    'mv.feasible': 'Every rule holds', 'mv.infeasible': '{n} rule(s) broken',
    'mv.shares': 'Change of each municipality’s share', 'mv.before': 'Before', 'mv.after': 'After', 'mv.change': 'Change',
    'mv.opened': '(new)', 'mv.closed': '(closed)', 'mv.lots': 'Lots changed',
    'mv.keep': 'Keep this plan', 'mv.undo': 'Undo one', 'mv.kept': 'The edited plan is saved as run #{run}',
    'mv.select': 'Select to move', 'mv.unselect': 'Unselect', 'mv.why': 'Why this lot?',
    'mv.here': 'Cost of its place in lot {lot} ({km} km from {depot}): {cost}',
    'mv.cheapest': 'Lots it can join without breaking a rule (cheapest first):', 'mv.move_there': 'Move there',
    'mv.option': '{lot} ({depot}, {km} km): plan cost {delta}', 'mv.no_option': 'No other lot can take it without breaking a rule.',
    'mv.forbidden': 'Lots it cannot join, and why:', 'mv.forbid_line': '{lot}: {rules} (cost {delta})',
    'mv.why_lot': 'Why', 'mv.why_lot_hint': 'This lot’s cost by term, and the assets that cost most in it',
    'mv.lot_title': 'Lot {lot} ({depot}) in detail', 'mv.fixed': 'Fixed cost', 'mv.equipment': 'Equipment mobilisation',
    'mv.surcharge': 'Mixed-discipline surcharge', 'mv.assets': 'Inspection costs', 'mv.travel': 'Travel', 'mv.total': 'Total',
    'mv.value_limits': 'Contract value range', 'mv.range': '{lo} – {hi}', 'mv.workload': 'Workload (person-days)', 'mv.of': '{v} / limit {max}',
    'mv.count': 'Assets', 'mv.distance': 'Farthest asset (km)', 'mv.costliest': 'The assets that cost most in this lot',
    'mv.keep_cost': 'Its cost here', 'mv.alone': 'Equipment and surcharge only it needs',
    'mv.run_label': 'hand edit (of #{parent})',
    'mv.rule_in_lot': '{lot}: {rule}', 'mv.rule_asset': '{asset}: {rule}',
    'mv.rule.min_value': 'below the minimum value', 'mv.rule.max_value': 'above the maximum value',
    'mv.rule.max_workload': 'over the workload limit', 'mv.rule.max_assets': 'over the asset limit',
    'mv.rule.max_distance': 'too far from the depot', 'mv.rule.mixed_discipline': 'mixes disciplines (forbidden)',
    'mv.rule.region_lock': 'crosses an area', 'mv.rule.pin': 'breaks a pin', 'mv.rule.coverage': 'assets in no lot',
    'mv.rule.individual_rationality': 'pays more than alone', 'mv.rule.depot_reused': 'two lots at one depot',
    'mv.rule.empty_bundle': 'a lot without assets', 'mv.rule.duplicate': 'an asset in two lots',
    'mv.rule.unknown_asset': 'unknown asset', 'mv.rule.unknown_depot': 'unknown depot', 'mv.rule.non_participating': 'asset of a non-participating municipality',
    // pins (pins.js)
    'pin.title': 'Pins', 'pin.none': 'No pins. Lock a lot in the results table, or pin an asset from its popup.',
    'pin.lock': 'Lock', 'pin.locked': 'Locked', 'pin.remove': 'Remove',
    'pin.to_lot': 'Pin to this lot ({lot})', 'pin.forbid': 'Forbid this depot ({depot})',
    'pin.item_asset': 'asset {asset} → lot of {depot}', 'pin.item_lot': 'lot of {depot} holds {n} assets',
    'pin.item_locked': 'lot of {depot} locked ({n} assets)', 'pin.item_forbid': 'asset {asset} kept out of the lot of {depot}',
    'pin.saved': 'Pins saved ({n}). The next runs keep them.',
    // lots (lots.js)
    'lock.on': 'Each lot stays inside one customary area ({areas}). Untick to allow lots across areas.',
    'lock.off': 'Lots may cross areas. Tick to keep each lot inside one area ({areas}).',
    'lock.saves': 'Lifting the area lock saves {yen}.',
    'lock.no_saving': 'Lifting the area lock found no cheaper plan in the same time.',
    'lock.detail': 'within areas {locked}, across areas {free} (comparison run #{run})',
    'lock.pending_free': 'Solving with the area lock lifted (run #{run})…',
    'lock.pending_locked': 'Solving with lots kept inside the areas (run #{run})…',
    'lock.none_locked': 'The plan across areas has not been solved yet.',
    'lock.none_free': 'This plan lets lots cross areas.',
    'lock.ask_free': 'Compare with lots across areas', 'lock.ask_locked': 'Compare with lots inside the areas',
    'lock.failed': 'The comparison run #{run} found no plan: {error}',
    'lock.this_is': 'This run flips the area lock of run #{run}, for comparison.',
    'lock.tag': '[comparison for run #{run}]',
    'lots.farthest': 'Farthest (km)', 'lots.area': 'Area (km²)', 'lots.overlaps': 'Overlaps',
    'lots.within': 'Every lot stays inside one area.',
    'lots.crossing': '{n} lot(s) cross areas: {list}', 'lots.crossing_item': '{lot} ({regions})',
    'lots.overlap_head': 'Lots whose outlines overlap ({n} pair(s)), and why',
    'lots.overlap': '{a} and {b} overlap by {km2} km²: {why}',
    'ovl.sep': '; ', 'ovl.none': 'no reason found',
    'ovl.equipment': 'only {lot} uses {eq} (equipment is mobilised once per lot)',
    'ovl.discipline': 'different disciplines ({a} / {b})',
    'ovl.limit': 'as one lot they would break {limits}',
    'ovl.merge_more': 'one lot (from {depot}) would cost {yen} more',
    'ovl.merge_less': 'one lot (from {depot}) would cost {yen} less, not found by the search in its time',
    'disc.road': 'road', 'disc.sewer': 'sewer',
    'rule.max_value': 'the maximum value', 'rule.max_workload': 'the maximum workload', 'rule.max_assets': 'the maximum number of assets',
    'rule.max_distance': 'the maximum distance', 'rule.region_lock': 'the area lock', 'rule.mixed_discipline': 'the ban on mixing disciplines',
    // the five-year programme (programme.js)
    'pg.legend': 'Five-year programme (several years)', 'pg.on': 'Plan several years (inspection years, multi-year lots, yearly budgets)',
    'pg.first_fy': 'First fiscal year', 'pg.years': 'Horizon (years)', 'pg.cycle': 'Inspection cycle (years, default 5)',
    'pg.contract': 'Lot length (years, divides the horizon)', 'pg.advance': 'Bring forward at most (years)',
    'pg.cap_value': 'Yearly cap: value (¥)', 'pg.cap_workload': 'Yearly cap: workload (person-days)',
    'pg.iterations': 'Search rounds at most (blank: until the time limit)',
    'pg.compare_yearly': 'Compare with planning each year alone (takes longer)',
    'pg.budgets': 'Municipal budgets (¥ per fiscal year)', 'pg.budgets_hint': 'A municipality left blank has no budget. Fill every year of a row or none.',
    'pg.quick': 'Budget = standalone cost × (%)', 'pg.basis': 'Basis', 'pg.basis_year': 'each year\'s standalone cost',
    'pg.basis_mean': 'yearly mean of the standalone cost', 'pg.fill': 'Fill all', 'pg.clear': 'Clear budgets',
    'pg.filled': 'Budgets of {n} municipalities set to {pct} % of their standalone cost', 'pg.bad_pct': 'Enter the percentage as a number, 0 or more',
    'pg.partial': '{name} has a budget for {n} years only (fill all {H} years, or none)',
    'pg.muni': 'Municipality', 'pg.fy': 'FY{fy}', 'a.fy': 'Inspection year (plan)',
    'pg.title': 'Five-year programme', 'pg.year_view': 'Year on the map', 'pg.all_years': 'All years (coloured by year)',
    'pg.cost': 'Programme cost {v}.', 'pg.yearly_saving': 'Saves {v} against planning each year alone ({alone}).',
    'pg.yearly_none': 'Planning each year alone has no feasible plan in some year.',
    'pg.infeasible': 'This plan breaks a rule (a budget, a cap, …).',
    'pg.chart': 'Value and workload per year', 'pg.value': 'Value (¥ million)', 'pg.workload': 'Workload (person-days)',
    'pg.cap': 'yearly cap', 'pg.cap_off': 'cap {v} (off the scale)', 'pg.chart_units': 'figures on the bars: value in ¥ million, workload in person-days',
    'pg.payments': 'Payments per municipality and year, with budgets', 'pg.budget_of': 'budget {v}', 'pg.over': 'over',
    'pg.csv': 'Export payments and budgets (CSV)', 'pg.legend_year': 'FY{fy} assets and lots (grey: other years)',
  },
};

let lang = 'ja';
const listeners = [];

export function initLang() {
  let saved = null;
  try { saved = localStorage.getItem('tabane.lang'); } catch { /* storage may be off */ }
  lang = saved === 'en' ? 'en' : 'ja';
  document.documentElement.lang = lang;
}

export function getLang() { return lang; }

export function setLang(l) {
  lang = l === 'en' ? 'en' : 'ja';
  try { localStorage.setItem('tabane.lang', lang); } catch { /* ignore */ }
  document.documentElement.lang = lang;
  applyStatic();
  for (const f of listeners) f(lang);
}

export function onLang(f) { listeners.push(f); }

// t looks a key up and fills {placeholders} from vars.
export function t(key, vars) {
  let s = dict[lang][key] ?? dict.ja[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

// applyStatic translates every element marked data-i18n (its text) in the document.
export function applyStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  const toggle = document.getElementById('lang-toggle');
  if (toggle) toggle.textContent = t('lang.other');
  document.title = `束ね tabane — ${t('app.title')}`;
  const map = document.getElementById('map');
  if (map) map.setAttribute('aria-label', lang === 'ja' ? '地図' : 'Map');
}

const numberFmt = { ja: new Intl.NumberFormat('ja-JP'), en: new Intl.NumberFormat('en-US') };

export function yen(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  // `|| 0`: a small negative amount rounds to -0, which Intl writes as "-0".
  return t('unit.yen', { v: numberFmt[lang].format(Math.round(v) || 0) });
}

export function num(v, digits = 0) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return new Intl.NumberFormat(lang === 'ja' ? 'ja-JP' : 'en-US',
    { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(v);
}

// figure formats a measured value with at most digits decimals and no trailing zeros (15, 17.1, 0.06).
export function figure(v, digits = 2) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return new Intl.NumberFormat(lang === 'ja' ? 'ja-JP' : 'en-US', { maximumFractionDigits: digits }).format(v);
}

// pct100 formats a value that is already a percentage (saving_pct of the API: 9.46 means 9.46 %).
export function pct100(v, digits = 1) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return `${num(v, digits)} %`;
}

// pct formats a fraction (0.123) as a percentage: the API's gap is a fraction.
export function pct(v, digits = 1) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return `${num(v * 100, digits)} %`;
}

// million writes yen in millions for chart axes: 1,050.4 百万円 / ¥1,050.4 million.
export function million(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return t('unit.million', { v: num(v / 1e6, 1) });
}

// health is the 健全性 rating 1–4 as Ⅰ–Ⅳ (I–IV in English); another value is shown as it is.
export function health(h) {
  if (h === null || h === undefined) return null;
  const k = `health.${h}`;
  const s = t(k);
  return s === k ? String(h) : s;
}

// amountText writes a number with thousands separators for an amount input (1,048,618,918);
// parseAmount reads it back, separators (ASCII or full-width commas, spaces) and full-width
// digits allowed. An input that is not a number gives NaN, an empty one undefined.
export function amountText(v) {
  if (v === null || v === undefined || v === '' || !Number.isFinite(Number(v))) return '';
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 }).format(Number(v));
}
export function parseAmount(s) {
  const plain = String(s).replace(/[０-９．]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFEE0))
    .replace(/[,，\s_]/g, '');
  if (plain === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(plain) ? Number(plain) : NaN;
}
