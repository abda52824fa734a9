// Two unit cubes side by side, conformal interface; regenerate with
// gmsh -3 -format msh41 tests/data/two_blocks.geo -o tests/data/two_blocks.msh
SetFactory("OpenCASCADE");
Box(1) = {0, 0, 0, 1, 1, 1};
Box(2) = {1, 0, 0, 1, 1, 1};
BooleanFragments{ Volume{1}; Delete; }{ Volume{2}; Delete; }
Physical Volume("left") = {1};
Physical Volume("right") = {2};
Physical Surface("x0") = Surface In BoundingBox{-0.1, -0.1, -0.1, 0.1, 1.1, 1.1};
Physical Surface("x1") = Surface In BoundingBox{1.9, -0.1, -0.1, 2.1, 1.1, 1.1};
Mesh.CharacteristicLengthMax = 0.5;
