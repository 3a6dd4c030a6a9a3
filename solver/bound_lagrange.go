package solver

import "context"

func lagrangian(ctx context.Context, bd *boundData, opt BoundOptions, res *BoundResult) {}
